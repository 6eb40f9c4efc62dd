"""The numbered error catalogue.

Every user-facing error has a code, and a sentence that says what happened and what to do.
The same code appears in CLI output, in quarantine rows and (later) in API JSON.
``docs/errors.md`` lists them; a test fails when a code is missing there.
"""

from __future__ import annotations

from typing import Any

CATALOGUE: dict[str, str] = {
    # E1xx: settings and database
    "E101": "The database at {url} cannot be opened: {detail}. Check CONFIANCE_DATABASE_URL "
    "and that the server is running.",
    "E102": "The database is not initialised (or is older than this version). "
    "Run `confiance init` first.",
    "E103": "CONFIANCE_SECRET_KEY is unset or a default value while CONFIANCE_ENV=production. "
    "Set it to a long random value, for example `python -c 'import secrets; "
    "print(secrets.token_urlsafe(48))'`.",
    "E104": "The database URL {url} uses an unsupported driver. Use sqlite:///PATH or "
    "postgresql+psycopg://USER@HOST/DB.",
    "E105": "PostgreSQL support needs the psycopg driver. Install it with "
    "`pip install 'confiance[postgres]'`.",
    # E2xx: import and parsing
    "E201": "A required field is missing from the item: {detail}.",
    "E202": "A field of the item has a value that cannot be read: {detail}.",
    "E203": "The parser failed on this item: {detail}. Report it with the quarantined payload.",
    "E204": "The file is not valid {detail}.",
    "E205": "A CSV row has the wrong number of columns: {detail}.",
    "E206": "The file {path} does not exist or cannot be read. Check the path.",
    "E207": "Unknown format {name!r}. Use one of: {known}.",
    "E208": "Cannot tell the format of {path}. Pass --format with one of: {known}.",
    "E209": "The column mapping {path} is invalid: {detail}. See docs/formats/csv.md.",
    "E210": "The csv and ndjson formats need a column mapping unless the file uses the "
    "canonical field names: pass --mapping MAPPING.json (see docs/formats/csv.md).",
    # E3xx: brands and other commands
    "E301": "No brand named {name!r}. Create it with `confiance brand add {name!r}` or list "
    "brands with `confiance brand list`.",
    "E302": "A brand named {name!r} already exists. Use `confiance brand update` to change it.",
    "E303": "The demo data set could not be generated in {path}: {detail}.",
    # E4xx: brand queries (details: position, line, column, length, reason, query)
    "E401": "Query error at {where}: {reason}.\n{excerpt}",
    "E402": "The query is empty: write at least one word, \"phrase\", #hashtag or @mention.",
    "E403": "Query error at {where}: {reason}.\n{excerpt}",
    "E404": "Query error at {where}: {reason}.\n{excerpt}",
    "E405": "Query error at {where}: {reason}.\n{excerpt}",
    "E406": "Query error at {where}: {reason}.\n{excerpt}",
    "E407": "The stored query of brand {name!r} does not parse: fix it with `confiance brand "
    "update {name!r} --query QUERY`. {error}",
    # E5xx: enrichment models (details: path, backend, labels, detail)
    "E501": "The model directory {path} is missing or incomplete: {detail}. An ONNX model "
    "needs model.onnx, tokenizer.json and config.json side by side; a transformers model "
    "needs config.json, its weights (model.safetensors or pytorch_model.bin) and its tokenizer "
    "files, as written by save_pretrained().",
    "E502": "The {backend} backend cannot be used: {detail}. Install ONNX Runtime with "
    "`pip install 'confiance[onnx]'`, or transformers and torch with "
    "`pip install 'confiance[transformers]'`.",
    "E503": "The model's labels {labels} cannot be read as sentiment: {detail}. Check the "
    "model card, then map each label to positive, neutral or negative with labels=, e.g. "
    "HFSentiment(path, labels={{'LABEL_0': 'negative', 'LABEL_1': 'neutral', "
    "'LABEL_2': 'positive'}}).",
    # E504-E506: running enrichment in parallel (details: runner, workers, address, detail)
    "E504": "Running enrichment on Ray needs the ray package, which is not installed. Install "
    "it with `pip install 'confiance[ray]'` (on a cluster, on every node), or use --workers N "
    "without --ray for a process pool on this machine.",
    "E505": "An enrichment worker ({runner}) stopped unexpectedly: {detail}. The batches "
    "committed before it are kept and the other posts are still pending: run `confiance "
    "enrich` again to go on, with fewer --workers if the machine ran out of memory.",
    "E506": "Cannot connect to the Ray cluster at {address}: {detail}. Check the address "
    "(ray://HOST:10001 for Ray Client, HOST:6379 or auto on a cluster node) and that the "
    "cluster is running.",
    # E51x: sentiment corrections and retraining (details: brand, count, ref, label)
    "E511": "Brand {brand!r} has {count} sentiment correction(s); retraining needs at least "
    "{minimum}. Correct more posts with `confiance sentiment correct POST LABEL --brand "
    "{brand!r}`.",
    "E512": "No post {ref!r}. Name a post as PLATFORM:ID (for example x:1712345678) or by its "
    "numeric id, as `confiance sentiment corrections` and the web app show them.",
    "E513": "{label!r} is not a sentiment: use one of {allowed}.",
    "E514": "The text file {path} cannot be analysed: {detail}.",
    # E6xx: accounts, access and the web API (details: email, role, action, workspace...)
    "E601": "Wrong e-mail address or password (or the account is deactivated). Check both, or "
    "ask a workspace owner to reset your password with `confiance user password EMAIL`.",
    "E602": "Too many failed sign-ins for this address or from this network. Wait {minutes} "
    "minutes, then try again.",
    "E603": "Sign in first: open the web app's sign-in page, or send a personal API token as "
    "`Authorization: Bearer TOKEN` (create one with `confiance token create --user EMAIL`).",
    "E604": "Your role {role!r} in workspace {workspace!r} does not allow {action!r}. Ask an "
    "owner of the workspace to change your role.",
    "E605": "No {what} {ref!r} in your workspaces. Check the id; list what you can see with "
    "GET /api/v1/{listing}.",
    "E606": "The form or request lacks a valid CSRF token. Reload the page and try again; API "
    "clients should send a Bearer token instead of a session cookie.",
    "E607": "A user with the address {email!r} exists already. Give them a role with "
    "`confiance user add {email} --role ROLE --workspace NAME`.",
    "E608": "{email!r} is not an e-mail address. Write it as name@example.org.",
    "E609": "Unknown role {role!r}: use one of {allowed}.",
    "E610": "The password must have at least {minimum} characters (and at most {maximum}). A "
    "passphrase of a few words is easy to remember and hard to guess.",
    "E611": "No user with the address {email!r}. Create one with `confiance user add {email} "
    "--role ROLE`.",
    "E612": "The cursor {cursor!r} is not valid (or belongs to another listing or sort order). "
    "Start again without a cursor and follow the `next` links.",
    "E613": "The parameter {name!r} has a value that cannot be used: {reason}.",
    "E614": "Change your one-time password first: sign in to the web app, or run `confiance "
    "user password {email}`.",
    "E615": "No workspace named {name!r} (known: {known}). Create it with `confiance workspace "
    "add NAME`.",
    "E616": "A workspace named {name!r} exists already.",
    "E617": "A workspace name cannot be empty.",
    "E618": "A workspace keeps at least one owner: make someone else owner first.",
    "E619": "Unknown interface language {locale!r}: use one of {allowed}.",
    "E620": "No password was given: type it at the prompt, or pipe it with --password-stdin "
    "(one line, at least 10 characters).",
    "E621": "The request is not valid: {detail}. See the API reference at /docs.",
    "E622": "There is no page or API route {path!r}. The API reference is at /docs.",
    "E623": "{method} is not allowed on {path!r}. The API reference at /docs lists the methods.",
    "E624": "Something went wrong on the server (incident {incident}). Try again; if it "
    "persists, give the incident id to your administrator, who will find it in the logs.",
    # E63x: mentions, authors, searches and corrections over the API (details: q, post, brand)
    "E630": "The search {q!r} cannot be used: {reason}. Write up to 20 words, \"quoted "
    "phrases\" or prefixes such as lumi*; for AND, OR, NOT and NEAR use the query filter.",
    "E631": "Nothing to correct: send a sentiment (positive, neutral or negative), a list of "
    "topics, or both.",
    "E632": "Post {post} belongs to several of your brands ({brands}): send brand_id to say "
    "which brand the correction is for.",
    "E633": "Post {post} is not attached to brand {brand}. Send the id of one of its brands "
    "({brands}), as GET /api/v1/posts/{post} lists them.",
    "E634": "{topic!r} is not a topic id: use lower-case ids of letters, digits and _, such as "
    "{known}.",
    "E635": "Post {post} has not been enriched yet, so it has no topics to correct. Run "
    "`confiance enrich`, then correct its topics.",
    # E64x: dashboards (details: since, until, days, maximum, day, first, last)
    "E640": "The period ends ({until}) before it starts ({since}). Give since and until as "
    "YYYY-MM-DD with since on or before until (both days are included).",
    "E641": "A period of {days} days is too long: a dashboard covers at most {maximum} days. "
    "Choose a later since or an earlier until.",
    "E642": "Hourly buckets cover at most {maximum} days, and this period has {days}. Use "
    "granularity=day or week (or auto), or a shorter period.",
    "E643": "The day {day} is outside the days a dashboard covers ({first} to {last}). "
    "Give since and until as YYYY-MM-DD within them.",
    # E7xx: listening and crisis alerts
    # E70x: crisis-alert detectors (details: key, reason, detail)
    "E701": "The alert detector setting {key!r} cannot be used: {reason}. See the settings of "
    "DetectorConfig (confiance.listen.alerts.config) for the names, their meaning and ranges.",
    "E702": "The saved state of the alert engine cannot be restored: {detail}. It was written "
    "by another version or damaged; start the engine without it (the detectors warm up again "
    "from the posts that follow).",
    # E71x-E72x: alert lifecycle, rules and notifications (details: ref, status, action...)
    "E710": "No alert {ref} for this brand in your workspaces. Check the id; list the brand's "
    "alerts to find it.",
    "E711": "Alert {ref} is {status}: it cannot be {action}. Only an open alert can be "
    "acknowledged; an open or acknowledged one can be resolved.",
    "E712": "No alert rule {ref} for this brand. List the brand's alert rules to find its id.",
    "E713": "The quiet hours {value!r} cannot be used: {reason}. Give a start and an end as "
    "HH:MM on the 24-hour clock (for example 22:00 and 07:00), or neither.",
    "E714": "Unknown time zone {name!r}: use an IANA name such as Europe/Paris or "
    "America/Montreal.",
    "E715": "Unknown notification channel kind {kind!r}: use one of {known}.",
    "E716": "{target!r} is not an e-mail address for an email channel. Write it as "
    "name@example.org.",
    "E717": "The webhook address cannot be used: {reason}. Give an https:// URL (http:// only "
    "for a service on this machine).",
    "E718": "A channel of the alert rule is not valid: {reason}. Write each channel as "
    "{{\"kind\": \"email\", \"target\": \"name@example.org\", \"digest\": false}}.",
    "E719": "The minimum severity {value!r} is not valid: use a whole number from 1 (worth a "
    "look) to 5 (act now).",
    "E720": "Unknown detector {name!r}: use one of {known}, or none for every detector.",
    "E721": "Unknown scope {scope!r}: use all or platform:NAME (such as platform:instagram), "
    "or none for every scope.",
    "E722": "The detector parameters cannot be used: {reason}. Give an object of detector "
    "setting names to numbers, or to lists of words for the risk terms, such as "
    "{{\"volume_min_score\": 8, \"extra_risk_terms\": [\"fuite*\"]}}.",
    "E723": "The resolution note has {length} characters: keep it to {maximum}.",
    "E724": "Cannot send e-mail through {host}:{port}: {detail}. Check the CONFIANCE_SMTP_* "
    "settings and that the server accepts mail from this sender.",
    "E725": "The webhook at {host} did not take the notification: {detail}. Check the URL and "
    "that the receiving service is up.",
    "E726": "No notifier handles the channel kind {kind!r}: install the plugin that provides "
    "it, or change the rule's channel.",
    "E727": "Unknown alert status {status!r}: use one of {known}.",
    "E740": "The episodes file {path} cannot be used: {detail}. Write it as a JSON list of "
    "{{\"name\": ..., \"start\": ..., \"end\": ...}} with ISO 8601 times and a zone, such as "
    "2026-10-16T16:00:00Z.",
    # E741-E749: listening sources
    "E741": "The brand already has a listening source named {name!r}. Choose another name, or "
    "remove it first with `confiance source remove`.",
    "E742": "{ref!r} does not say where the token is: write env:VARIABLE_NAME (an environment "
    "variable) or file:/path/to/token (a file holding only the token).",
    "E743": "No listening source {name!r} for this brand. List them with `confiance source "
    "list`.",
    "E744": "The delivery is not signed with this source's secret ({detail}). Sign the raw "
    "body as described in docs/listening.md, with the secret `confiance source add` or "
    "`confiance source rotate-secret` printed.",
    "E745": "The delivery is {size} bytes; a push delivery holds at most {maximum}. Send "
    "smaller batches.",
    "E746": "The listening source setting is not valid: expected {detail}.",
    "E747": "The listening source {name!r} is paused: resume it with `confiance source "
    "resume` before pushing to it.",
    "E748": "No polling client for the format {name!r}. Polled sources use one of: {known}; "
    "other formats can be pushed (mode push) or imported.",
    # E750-E759: polling clients (details: client, reason, platform, detail)
    "E750": "The {client} listening source cannot be configured this way: {reason}. See "
    "docs/listening-sources.md for its keys.",
    "E751": "{platform} refused the credentials: {detail}. Give the source a valid token with "
    "the permissions docs/listening-sources.md lists; it is not polled again until the token "
    "changes.",
    "E752": "{platform} asks to slow down: {detail}. Polling resumes on its own once the wait "
    "is over; poll less often if it keeps happening.",
    "E753": "{platform} could not be read: {detail}. The poll is retried with backoff; if it "
    "lasts, check the platform's status and this machine's network.",
    "E754": "{platform} refused the source's configuration: {detail}. Fix the source's "
    "configuration (docs/listening-sources.md); it is not polled again until it changes.",
    "E755": "{platform} could not be polled: {detail}.",
}


class ConfianceError(Exception):
    """A user-facing error with a catalogue code and an actionable message."""

    def __init__(self, code: str, **details: Any) -> None:
        self.code = code
        self.details = details
        template = CATALOGUE[code]
        try:
            message = template.format(**details)
        except (KeyError, IndexError):
            message = template
        self.message = message
        super().__init__(f"{code}: {message}")

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled by code and details, so an error raised in a worker process (a process
        pool, a Ray actor) reaches the parent as the same error."""
        return (_restore, (self.code, self.details))

    def as_dict(self) -> dict[str, Any]:
        """The error as a JSON-ready object: ``{"code": ..., "message": ...}``, plus
        ``"details"`` when the error has some (a query error's ``line``, ``column``...)."""
        found: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.details:
            found["details"] = dict(self.details)
        return found


def _restore(code: str, details: dict[str, Any]) -> ConfianceError:
    """A pickled :class:`ConfianceError`, rebuilt."""
    return ConfianceError(code, **details)
