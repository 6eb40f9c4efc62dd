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
    # E51x: sentiment corrections and retraining (details: brand, count, ref, label)
    "E511": "Brand {brand!r} has {count} sentiment correction(s); retraining needs at least "
    "{minimum}. Correct more posts with `confiance sentiment correct POST LABEL --brand "
    "{brand!r}`.",
    "E512": "No post {ref!r}. Name a post as PLATFORM:ID (for example x:1712345678) or by its "
    "numeric id, as `confiance sentiment corrections` and the web app show them.",
    "E513": "{label!r} is not a sentiment: use one of {allowed}.",
    "E514": "The text file {path} cannot be analysed: {detail}.",
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

    def as_dict(self) -> dict[str, Any]:
        """The error as a JSON-ready object: ``{"code": ..., "message": ...}``, plus
        ``"details"`` when the error has some (a query error's ``line``, ``column``...)."""
        found: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.details:
            found["details"] = dict(self.details)
        return found
