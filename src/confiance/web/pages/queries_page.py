"""The query editor of a brand: the stored query, live preview, syntax errors, saving.

``queries_context`` fills the page ``brand.py`` serves at ``/brands/{id}/queries``; ``router``
holds this page's own routes, added by ``pages.install``:

- ``POST /brands/{id}/queries/preview``: a draft tried on the latest posts of the brand's
  workspace (as ``POST /api/v1/queries/preview`` does), answered as a fragment to htmx while the
  user types, as the whole page to the "Preview" button without JavaScript;
- ``POST /brands/{id}/queries``: save the query (``Action.EDIT_BRAND``), re-match the stored
  posts (as ``confiance brand update`` then ``confiance brand rematch`` do), write the audit
  entry, and come back with a confirmation; a query that does not parse is refused at its
  position and nothing is saved.

Matched words are highlighted as :class:`Segment` runs that the template escapes: no text is
ever marked safe.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Path, Request
from sqlalchemy import Connection, Engine, func, select
from starlette.responses import RedirectResponse, Response

from confiance.auth.roles import Action, can
from confiance.core.errors import ConfianceError
from confiance.enrich.brands import BrandMatcher, default_query, rematch
from confiance.enrich.query import Query, fold, parse_query
from confiance.enrich.query_parser import (
    TOKEN_RE,
    And,
    Hashtag,
    Mention,
    Near,
    Node,
    Not,
    Or,
    Phrase,
    Term,
    Title,
    Wildcard,
)
from confiance.store import audit, brands, mention_records, mentions
from confiance.store.brands import BrandRecord
from confiance.store.tables import posts
from confiance.web.api.brands import visible
from confiance.web.api.queries import MAX_QUERY
from confiance.web.deps import Conn, CurrentPrincipal, Principal, client_ip, get_engine
from confiance.web.pages import frame as frames
from confiance.web.pages.frame import Frame
from confiance.web.pages.templating import templates_of

router = APIRouter(include_in_schema=False)

BrandId = Annotated[int, Path(ge=1, le=2**63 - 1)]
QueryText = Annotated[str, Form(max_length=MAX_QUERY)]
EngineDep = Annotated[Engine, Depends(get_engine)]

SHOWN = 10
"""Matching posts the preview shows."""
SAMPLE = 2000
"""The latest posts of the workspace a draft is tried on, read once per keystroke and matched
with the draft and the stored query (what it adds and removes). Smaller than the API's 5,000,
chosen when each keystroke read the sample three times; not measured again since."""
EXCERPT = 600
"""Characters of a post's text shown in the preview (the rest is cut with an ellipsis)."""
SAVED = "brand.update"
"""The audit action of a saved query (the same as ``PATCH /api/v1/brands/{id}``)."""
PAGE = "brand/queries.html"
FRAGMENT = "brand/queries/_fragment.html"


# --- errors at their position ---------------------------------------------------------------------


_REASONS = (
    ("unclosed_paren", re.compile(r"this \( is never closed")),
    ("stray_paren", re.compile(r"this \) closes no \(")),
    ("unclosed_quote", re.compile(r"this quote is never closed")),
    ("empty_parens", re.compile(r"empty parentheses")),
    ("term_after", re.compile(r"expected a term after (\S+)$")),
    ("term_before", re.compile(r"expected a term before (\S+)$")),
    ("minus", re.compile(r"to exclude a word write NOT (.+), not -")),
    ("empty", re.compile(r"the query is empty")),
)
"""Reasons the template can say in the reader's language (``kind``, with ``subject``); any
other is shown as the parser wrote it."""


@dataclass(frozen=True)
class Problem:
    """Why a query does not parse, cut for the caret block: the offending line is
    ``before + bad + after``, and ``caret`` has spaces then carets under ``bad``."""

    code: str
    message: str
    """The catalogue's message (English), first line."""
    reason: str
    kind: str | None
    subject: str
    line: int
    column: int
    multiline: bool
    before: str
    bad: str
    after: str
    caret: str


def problem_of(error: ConfianceError, query: str) -> Problem:
    """The parts of a query error (E401-E406) that the page shows."""
    details = error.details
    position = min(max(int(details.get("position", 0)), 0), len(query))
    start = query.rfind("\n", 0, position) + 1
    end = query.find("\n", position)
    text = (query[start:] if end < 0 else query[start:end]).replace("\t", " ")
    offset = position - start
    length = max(1, min(int(details.get("length", 1)), len(text) - offset))
    reason = str(details.get("reason", ""))
    kind, subject = None, ""
    for name, pattern in _REASONS:
        found = pattern.search(reason)
        if found:
            kind, subject = name, (found.group(1) if found.groups() else "")
            break
    return Problem(code=error.code, message=error.message.split("\n", 1)[0], reason=reason,
                   kind=kind, subject=subject, line=int(details.get("line", 1)),
                   column=offset + 1, multiline="\n" in query, before=text[:offset],
                   bad=text[offset:offset + length], after=text[offset + length:],
                   caret=" " * offset + "^" * length)


# --- highlighting ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Segment:
    """A run of a post's text; ``marked`` when a query term matched it."""

    text: str
    marked: bool = False


Target = tuple[str, tuple[str, ...] | re.Pattern[str]]
"""What to find: (``word``, folded words in a row) or (``wild``, a pattern of one folded
word), or (``#`` / ``@``, words right after that sign)."""


def _targets(node: Node, negated: bool = False) -> list[Target]:
    """The words, phrases, wildcards, hashtags and mentions a match can contain (none under
    a NOT), as :data:`Target`."""
    if isinstance(node, Not):
        return _targets(node.child, not negated)
    if isinstance(node, And | Or):
        return [t for child in node.children for t in _targets(child, negated)]
    if negated:
        return []
    if isinstance(node, Near):
        return [t for item in (*node.left, *node.right) for t in _targets(item)]
    if isinstance(node, Title):
        return _targets(node.inner)
    if isinstance(node, Term):
        return [("word", (node.word,))]
    if isinstance(node, Phrase):
        return [("word", node.words)]
    if isinstance(node, Wildcard):
        pattern = "".join(r"\w*" if c == "*" else r"\w" if c == "?" else re.escape(c)
                          for c in node.pattern)
        return [("wild", re.compile(pattern))]
    if isinstance(node, Hashtag | Mention):
        sign = "#" if isinstance(node, Hashtag) else "@"
        words = tuple(TOKEN_RE.findall(node.tag if isinstance(node, Hashtag) else node.handle))
        return [(sign, words)] if words else []
    return []  # fields and ratings: nothing to point at in the text


def _spans(text: str, targets: list[Target]) -> list[tuple[int, int]]:
    """Where ``targets`` occur in ``text`` (start, end), overlapping spans merged."""
    tokens = [(m.start(), m.end(), fold(m.group())) for m in TOKEN_RE.finditer(text)]
    found: list[tuple[int, int]] = []
    for kind, what in targets:
        for i, (start, end, word) in enumerate(tokens):
            if isinstance(what, re.Pattern):
                if what.fullmatch(word):
                    found.append((start, end))
                continue
            run = tokens[i:i + len(what)]
            if len(run) < len(what) or any(t[2] != w for t, w in zip(run, what, strict=True)):
                continue
            if kind in ("#", "@"):
                if start == 0 or text[start - 1] != kind:
                    continue
                start -= 1
            found.append((start, run[-1][1]))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(found):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def highlight(text: str | None, targets: list[Target], limit: int = EXCERPT) -> list[Segment]:
    """``text`` (cut at ``limit`` characters) as runs, those the targets match marked."""
    if not text:
        return []
    cut = text[:limit]
    segments: list[Segment] = []
    last = 0
    for start, end in _spans(cut, targets):
        if start > last:
            segments.append(Segment(cut[last:start]))
        segments.append(Segment(cut[start:end], marked=True))
        last = end
    if last < len(cut):
        segments.append(Segment(cut[last:]))
    if len(text) > limit:
        segments.append(Segment("…"))
    return segments


# --- the preview ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Shown:
    """A matching post in the preview, its title and text highlighted."""

    post: mention_records.Mention
    title: list[Segment]
    text: list[Segment]
    attached: bool
    """Whether the post is attached to the brand already."""


@dataclass(frozen=True)
class QueryPreview:
    """What a draft finds among the latest posts of the brand's workspace; ``problem`` when
    it does not parse (then nothing else is set)."""

    problem: Problem | None = None
    normalized: str | None = None
    scanned: int = 0
    matched: int = 0
    scan_limit: int = SAMPLE
    items: list[Shown] = field(default_factory=list)
    added: int | None = None
    """Posts of the sample the draft finds and the stored query does not (``None``: not
    computed, or the draft is the stored query)."""
    removed: int | None = None
    unchanged: bool = False
    """Whether the draft reads the same as the stored query."""


def stored_query(brand: BrandRecord) -> Query | None:
    """What the brand matches with now: its query, else its name or hashtags (``None``:
    nothing, or a stored query that no longer parses)."""
    if brand.query and brand.query.strip():
        try:
            return parse_query(brand.query)
        except ConfianceError:
            return None
    return default_query(brand.name, brand.hashtags)


def preview_of(conn: Connection, brand: BrandRecord, text: str) -> QueryPreview:
    """Try ``text`` on the latest posts of the brand's workspace (``mentions.preview``), with
    how many of them it would add and remove compared with the stored query."""
    try:
        draft = parse_query(text)
    except ConfianceError as error:
        return QueryPreview(problem=problem_of(error, text))
    scope = tuple(r.id for r in brands.records(conn, [brand.workspace_id]))
    current = stored_query(brand)
    unchanged = current is not None and current == draft
    found = mentions.preview(conn, text, scope, limit=SHOWN, scan=SAMPLE,
                             against=None if unchanged else current)
    targets = _targets(draft.root)
    items = [Shown(post=m, title=highlight(m.title, targets), text=highlight(m.text, targets),
                   attached=any(link.id == brand.id for link in m.brands))
             for m in found.items]
    added, removed = (found.matched, 0) if current is None else \
        (found.added, found.removed) if found.scanned else (None, None)
    return QueryPreview(normalized=str(draft), scanned=found.scanned, matched=found.matched,
                        items=items, added=added, removed=removed, unchanged=unchanged)


# --- the page -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SavedNote:
    """The confirmation after saving: the audit entry of the last save of this brand."""

    at: Any
    posts: int
    added: int
    removed: int
    seconds: float


def _saved_note(conn: Connection, brand: BrandRecord, actor: str) -> SavedNote | None:
    """The latest save of this brand's query by ``actor``, from the audit log."""
    for entry in audit.entries(conn, brand.workspace_id, limit=50):
        details = entry.details or {}
        if entry.action == SAVED and entry.target == brand.name and "rematch" in details \
                and entry.actor == actor:
            done = details["rematch"]
            return SavedNote(at=entry.at, posts=int(done.get("posts", 0)),
                             added=int(done.get("added", 0)),
                             removed=int(done.get("removed", 0)),
                             seconds=float(done.get("seconds", 0.0)))
    return None


def _stored_posts(conn: Connection) -> int:
    """How many posts saving re-examines (every stored post, as ``brand rematch`` does)."""
    return int(conn.execute(select(func.count()).select_from(posts)).scalar_one())


def editor_context(conn: Connection, frame: Frame, text: str, *, refused: bool = False,
                   saved: SavedNote | None = None) -> dict[str, Any]:
    """What ``brand/queries.html`` shows for the draft ``text``."""
    brand = frame.brand
    assert brand is not None and frame.user is not None
    role = frame.role
    preview = preview_of(conn, brand, text)
    return {"query": text, "stored": brand.query, "preview": preview, "preview_url": None,
            "problem": preview.problem, "refused": refused, "saved": saved,
            "can_edit": role is not None and can(role, Action.EDIT_BRAND),
            "stored_posts": _stored_posts(conn),
            "base": f"/brands/{brand.id}/queries"}


def queries_context(conn: Connection, frame: Frame, request: Request) -> dict[str, Any]:
    """The editor with the brand's stored query (``query``) and its preview (``preview``);
    after a save (``?saved=1``), the confirmation (``saved``)."""
    brand = frame.brand
    assert brand is not None and frame.user is not None
    saved = _saved_note(conn, brand, frame.user.email) if request.query_params.get("saved") \
        else None
    default = "" if brand.query is None else brand.query
    return editor_context(conn, frame, default, saved=saved)


def _frame(request: Request, conn: Connection, principal: Principal, brand_id: int,
           action: Action = Action.READ) -> Frame:
    """The page's frame (E605 for a brand the user cannot see, E604 for a role that may not
    do ``action``)."""
    brand = visible(principal, conn, brand_id, action)
    return frames.signed_in(request, conn, principal, brand=brand, page="queries")


def _page(request: Request, frame: Frame, context: dict[str, Any], *,
          status_code: int = 200) -> Response:
    return templates_of(request).render(PAGE, frame.locale, {"frame": frame, **context},
                                        status_code=status_code)


@router.post("/brands/{brand_id}/queries/preview")
def preview(brand_id: BrandId, principal: CurrentPrincipal, conn: Conn, request: Request,
            query: QueryText = "") -> Response:
    """The draft's preview: a fragment for htmx (results, and out of band the error block and
    the summary), the whole page otherwise (the "Preview" button without JavaScript)."""
    frame = _frame(request, conn, principal, brand_id)
    context = editor_context(conn, frame, query)
    if request.headers.get("hx-request") == "true":
        return templates_of(request).render(FRAGMENT, frame.locale, {"frame": frame, **context})
    return _page(request, frame, context)


@router.post("/brands/{brand_id}/queries")
def save(brand_id: BrandId, principal: CurrentPrincipal, engine: EngineDep, request: Request,
         query: QueryText = "") -> Response:
    """Save the brand's query and re-match every stored post against it (owners and
    analysts); a query that does not parse is refused at its position, nothing changed."""
    with engine.connect() as conn:
        frame = _frame(request, conn, principal, brand_id, Action.EDIT_BRAND)
        try:
            parse_query(query)
        except ConfianceError:
            return _page(request, frame, editor_context(conn, frame, query, refused=True),
                         status_code=422)
    brand = frame.brand
    assert brand is not None
    brands.update_brand(engine, brand.name, query=query)
    summary = rematch(engine, BrandMatcher.from_store(engine, brand.name))
    counts = summary.brands.get(brand.name, {})
    with engine.begin() as conn:
        audit.record(conn, SAVED, user_id=principal.user.id, actor=principal.user.email,
                     workspace_id=brand.workspace_id, target=brand.name,
                     details={"query": query,
                              "rematch": {"posts": summary.posts,
                                          "added": counts.get("added", 0),
                                          "removed": counts.get("removed", 0),
                                          "errors": summary.errors,
                                          "seconds": round(summary.seconds, 3)}},
                     ip=client_ip(request))
    return RedirectResponse(f"/brands/{brand.id}/queries?saved=1", status_code=303)
