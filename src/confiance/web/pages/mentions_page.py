"""The mentions explorer of a brand: filters, the list, a mention's detail, corrections.

``mentions_context`` fills the page ``brand.py`` serves at ``/brands/{id}/mentions``; ``router``
holds this page's own extra routes, added by ``pages.install``:

- ``GET /brands/{id}/mentions/more``: the next page of the list, as a fragment (htmx appends it
  in place of the "load more" link, which otherwise opens the full page at that cursor);
- ``GET /brands/{id}/mentions/{post_id}``: one mention, its thread, enrichments, corrections;
- ``POST /brands/{id}/mentions/{post_id}/sentiment`` and ``.../topics``: correct a label,
  through ``POST /api/v1/corrections`` itself (checks, store, audit, retraining data); an
  htmx request gets the corrected fragment back, a plain form a redirect to where it was.

The filters are the query parameters of ``GET /api/v1/posts`` with the same names, read by the
same helpers (``listing``, ``cursor_position``, ``next_cursor``), so a page's cursors are the
API's and its export links carry the very same filters. Dates typed as ``YYYY-MM-DD`` cover
whole days: ``until`` is the last day shown.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode, urlsplit

from babel import Locale
from fastapi import APIRouter, Form, Path, Request
from sqlalchemy import Connection, Engine, func, select
from starlette.responses import Response

from confiance.auth.roles import Action, can
from confiance.core.errors import ConfianceError
from confiance.domain import Platform
from confiance.enrich.aspects import Aspect, default_aspects
from confiance.store import accounts, label_corrections, mentions
from confiance.store.brands import BrandRecord
from confiance.store.label_corrections import Entry
from confiance.store.mention_records import Filters, Mention, MentionPage, Sort
from confiance.store.mentions import Thread
from confiance.store.tables import enrichments, posts
from confiance.web.api import posts as posts_api
from confiance.web.api.brands import visible
from confiance.web.api.corrections import CorrectionIn, create_correction
from confiance.web.deps import CurrentPrincipal, Principal, get_engine
from confiance.web.pages import frame as frames
from confiance.web.pages.error_pages import redirect
from confiance.web.pages.frame import Frame
from confiance.web.pages.security import local_path
from confiance.web.pages.templating import templates_of

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 25
"""Mentions per page of the list."""
FIELDS = ("q", "sentiment", "platform", "sort", "since", "until", "language", "topic",
          "intent", "query", "author")
"""The filter form's fields, named as ``GET /api/v1/posts`` names its parameters."""
MORE_FIELDS = ("since", "until", "language", "topic", "intent", "query", "author")
"""The fields folded under "more filters" (open when one of them is set)."""
CHECKS: dict[str, tuple[str | None, int]] = {
    "language": (posts_api.LANGUAGE, 16), "topic": (posts_api.TOPIC_ID, 50),
    "author": (posts_api.AUTHOR, 200), "q": (None, 500), "query": (None, 10_000),
}
"""What the API's ``Query`` declarations check of a free field: (pattern, longest)."""
PLATFORM_NAMES = {"x": "X", "instagram": "Instagram", "facebook": "Facebook",
                  "youtube": "YouTube", "reddit": "Reddit", "mastodon": "Mastodon",
                  "bluesky": "Bluesky", "tiktok": "TikTok", "trustpilot": "Trustpilot",
                  "google": "Google", "appstore": "App Store", "googleplay": "Google Play",
                  "web": "Web"}
"""Platforms by their own names (``other`` is translated by the templates)."""

BrandId = Annotated[int, Path(ge=1, le=2**63 - 1)]
PostId = Annotated[int, Path(ge=1, le=2**63 - 1)]
Field = Annotated[str, Form(max_length=2000)]


# --- what the templates are given -------------------------------------------------------------


@dataclass(frozen=True)
class Labels:
    """Names shown for ids, in the page's language: aspects, languages, platforms."""

    locale: str
    aspects: tuple[Aspect, ...]

    def topic(self, topic_id: str) -> str:
        """An aspect's label (its id when it is not a known aspect)."""
        for aspect in self.aspects:
            if aspect.id == topic_id:
                return aspect.label_fr if self.locale == "fr" else aspect.label_en
        return topic_id

    def language(self, code: str | None) -> str:
        """A language code's name (``fr`` → ``français``); the code when unknown."""
        if not code:
            return "—"
        name = Locale.parse(self.locale).languages.get(code.split("-")[0].lower())
        return str(name) if name else code

    def platform(self, value: str) -> str | None:
        """A platform's name (``None`` for ``other``: the template translates it)."""
        return PLATFORM_NAMES.get(value)


def labels_for(locale: str) -> Labels:
    """The labels of ``locale``, with the brand's aspects."""
    return Labels(locale, tuple(default_aspects()))


@dataclass
class Results:
    """A page of the list as the template draws it."""

    items: list[Mention] = field(default_factory=list)
    error: ConfianceError | None = None
    count: int | None = None
    """How many mentions pass the filters, when known."""
    many: bool = False
    """More than the page shows, without a count (``count`` is then ``None``)."""
    next_url: str | None = None
    """The full page after this one (the "load more" link without JavaScript)."""
    more_url: str | None = None
    """The fragment htmx appends instead."""
    later: bool = False
    """This is not the first page (the page was opened at a cursor)."""
    exports: dict[str, str] = field(default_factory=dict)
    reviewing: bool = False
    """Sorted least certain sentiment first: the page says how to confirm a label too."""

    @property
    def bad_field(self) -> str | None:
        """The filter field the error is about, if any (marked invalid in the form)."""
        if self.error is None:
            return None
        if self.error.code == "E630":
            return "q"
        if self.error.code.startswith("E4"):
            return "query"
        name = self.error.details.get("name")
        return name if isinstance(name, str) else None


# --- reading the filters ----------------------------------------------------------------------


def typed(params: Mapping[str, str]) -> dict[str, str]:
    """The filter fields as typed, trimmed, empty ones left out."""
    found = {}
    for name in FIELDS:
        value = (params.get(name) or "").strip()
        if value:
            found[name] = value
    return found


def _bound(value: str | None, name: str) -> datetime | None:
    """A period bound: a day (``until``: the whole day) or an ISO 8601 time (E613)."""
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ConfianceError("E613", name=name,
                             reason="write a date as YYYY-MM-DD") from None
    if name == "until" and len(value) == 10:
        moment += timedelta(days=1)
    return moment


def _checked(values: Mapping[str, str]) -> None:
    """The checks FastAPI makes of the API's free parameters (E613)."""
    for name, (pattern, longest) in CHECKS.items():
        value = values.get(name)
        if value is not None and (len(value) > longest
                                  or (pattern is not None and not re.match(pattern, value))):
            raise ConfianceError("E613", name=name, reason="the value is too long or "
                                 "holds characters it cannot have")


def page_listing(principal: Principal, engine: Engine, brand_id: int,
                 values: Mapping[str, str]) -> posts_api.Listing:
    """The API's listing of ``values`` for one brand (E605, E613, E630, E401-E406)."""
    _checked(values)
    try:
        sort = Sort(values.get("sort", Sort.NEWEST.value))
    except ValueError:
        raise ConfianceError("E613", name="sort", reason="use one of " + ", ".join(
            s.value for s in Sort)) from None
    topic = values.get("topic")
    return posts_api.listing(
        principal, engine, brand_ids=[brand_id], workspace_id=None,
        since=_bound(values.get("since"), "since"), until=_bound(values.get("until"), "until"),
        platform=values.get("platform"), language=values.get("language"),
        sentiment=values.get("sentiment"), topic=topic.lower() if topic else None,
        intent=values.get("intent"), query=values.get("query"), q=values.get("q"),
        author=values.get("author"), sort=sort)


def principal_of(conn: Connection, frame: Frame) -> Principal:
    """The signed-in user of ``frame`` with their memberships (the page route has checked
    the session; this is what the API's dependency would have built)."""
    assert frame.user is not None
    return Principal(user=frame.user, via="session", csrf_token=frame.csrf_token,
                     memberships={m.workspace_id: m
                                  for m in accounts.memberships_of(conn, frame.user.id)})


def may_correct(principal: Principal, brand: BrandRecord) -> bool:
    """Whether the principal's role in the brand's workspace allows correcting labels."""
    role = principal.role(brand.workspace_id)
    return role is not None and can(role, Action.CORRECT)


# --- addresses --------------------------------------------------------------------------------


def page_url(brand_id: int, values: Mapping[str, str], suffix: str = "", **extra: str) -> str:
    """The list's address with ``values`` (and ``extra``) as its query."""
    query = urlencode({**values, **extra})
    return f"/brands/{brand_id}/mentions{suffix}" + (f"?{query}" if query else "")


def export_urls(listing: posts_api.Listing, brand_id: int) -> dict[str, str]:
    """``GET /api/v1/posts/export`` with the listing's filters, by format."""
    found = listing.filters
    params: dict[str, str] = {"brand_id": str(brand_id)}
    for name in ("since", "until"):
        moment: datetime | None = getattr(found, name)
        if moment is not None:
            params[name] = moment.isoformat()
    for name in ("platform", "language", "sentiment", "topic", "intent", "query", "q",
                 "author"):
        value = getattr(found, name)
        if value is not None:
            params[name] = value
    if listing.sort is not Sort.NEWEST:
        params["sort"] = listing.sort.value
    return {fmt: "/api/v1/posts/export?" + urlencode({**params, "format": fmt})
            for fmt in ("csv", "ndjson")}


# --- reading the list -------------------------------------------------------------------------


def count_mentions(conn: Connection, filters: Filters) -> int:
    """How many posts of the brands pass the SQL filters (not a ``query``): read scope
    first, so call it for small scopes only."""
    joined = posts.outerjoin(enrichments, enrichments.c.post_id == posts.c.id)
    return int(conn.execute(
        select(func.count()).select_from(joined).where(
            posts.c.id.in_(mentions.scope_ids(filters.brand_ids)),
            *mentions.conditions(conn, filters))).scalar_one())


def _counted(conn: Connection, frame: Frame, values: Mapping[str, str],
             listing: posts_api.Listing, page: MentionPage) -> tuple[int | None, bool]:
    """(count, many) of a first page: exact when cheap, else "more than a page"."""
    if not set(values) - {"sort"}:
        return frame.mentions, False
    if page.next is None:
        return len(page.items), False
    if listing.filters.query is None and mentions.small_scope(conn, listing.filters.brand_ids):
        return count_mentions(conn, listing.filters), False
    return None, True


def results(conn: Connection, frame: Frame, principal: Principal, engine: Engine,
            values: Mapping[str, str], cursor: str | None) -> Results:
    """A page of the list for ``values`` after ``cursor``; a bad filter or cursor is the
    page's ``error`` (shown in the page, never a server error)."""
    assert frame.brand is not None
    brand_id = frame.brand.id
    try:
        listing = page_listing(principal, engine, brand_id, values)
        page = mentions.list_mentions(
            conn, listing.filters, sort=listing.sort, limit=PAGE_SIZE,
            after=posts_api.cursor_position(cursor, listing), visible=listing.visible)
    except ConfianceError as error:
        if error.code == "E605":
            raise
        return Results(error=error)
    found = Results(items=page.items, later=cursor is not None,
                    exports=export_urls(listing, brand_id),
                    reviewing=listing.sort is Sort.LEAST_CERTAIN)
    following = posts_api.next_cursor(page.next, listing)
    if following is not None:
        found.next_url = page_url(brand_id, values, cursor=following)
        found.more_url = page_url(brand_id, values, "/more", cursor=following)
    if cursor is None:
        found.count, found.many = _counted(conn, frame, values, listing, page)
    return found


def mentions_context(conn: Connection, frame: Frame, request: Request) -> dict[str, Any]:
    """The first page of mentions with the request's filters (``mentions``, a
    :class:`Results`), or the page at ``cursor``; the filters come from
    ``request.query_params``."""
    assert frame.brand is not None
    principal = principal_of(conn, frame)
    values = typed(request.query_params)
    cursor = request.query_params.get("cursor") or None
    found = results(conn, frame, principal, get_engine(request), values, cursor)
    return {"mentions": found, "mentions_url": None, **list_context(frame, principal, values)}


def list_context(frame: Frame, principal: Principal, values: Mapping[str, str]
                 ) -> dict[str, Any]:
    """What the list's templates need besides the results."""
    assert frame.brand is not None
    labels = labels_for(frame.locale)
    return {"values": values, "labels": labels, "aspects": labels.aspects,
            "platforms": [p.value for p in Platform], "sorts": [s.value for s in Sort],
            "sentiments": mentions.SENTIMENTS, "intents": mentions.INTENTS,
            "more_open": any(name in values for name in MORE_FIELDS),
            "can_correct": may_correct(principal, frame.brand),
            "back": page_url(frame.brand.id, values),
            "reset_url": f"/brands/{frame.brand.id}/mentions"}


@router.get("/brands/{brand_id}/mentions/more")
def more(brand_id: BrandId, principal: CurrentPrincipal, request: Request) -> Response:
    """The next page of the list (a fragment: the mentions and the next "load more")."""
    engine = get_engine(request)
    with engine.connect() as conn:
        frame = _frame(request, conn, principal, brand_id)
        values = typed(request.query_params)
        found = results(conn, frame, principal, engine, values,
                        request.query_params.get("cursor") or None)
    context = {"frame": frame, "mentions": found, **list_context(frame, principal, values)}
    return templates_of(request).render("brand/mentions/more.html", frame.locale, context,
                                        status_code=422 if found.error else 200)


def _frame(request: Request, conn: Connection, principal: Principal, brand_id: int) -> Frame:
    """The frame of a mentions page (E605 for a brand the principal cannot see)."""
    brand = visible(principal, conn, brand_id)
    return frames.signed_in(request, conn, principal, brand=brand, page="mentions")


# --- one mention ------------------------------------------------------------------------------


@dataclass
class Detail:
    """A mention with what its page shows around it."""

    item: Mention
    thread: Thread
    corrections: list[Entry]
    author_count: int | None
    """The author's mentions of this brand (this one included), when the author is known."""
    author_url: str | None
    original: str | None
    """The post on its platform (an http(s) address only)."""


def _mention(conn: Connection, principal: Principal, brand_id: int, post_id: int
             ) -> tuple[Mention, tuple[int, ...]]:
    """The post if it is a mention of ``brand_id`` the principal may see (E605 otherwise),
    and the brands the principal sees."""
    seen = posts_api.visible_brands(conn, principal)
    item = mentions.get_mention(conn, post_id, seen)
    if item is None or brand_id not in {link.id for link in item.brands}:
        raise ConfianceError("E605", what="post", ref=str(post_id), listing="posts")
    return item, seen


def detail(conn: Connection, principal: Principal, brand_id: int, post_id: int) -> Detail:
    """Everything the detail page shows of one mention (E605 when it is not the brand's)."""
    item, seen = _mention(conn, principal, brand_id, post_id)
    author_count = author_url = None
    if item.author is not None and item.author.id is not None:
        key = str(item.author.id)
        author_count = count_mentions(conn, Filters(brand_ids=(brand_id,), author=key))
        author_url = page_url(brand_id, {"author": key})
    original = item.url if item.url and urlsplit(item.url).scheme in ("http", "https") \
        else None
    return Detail(item=item, thread=mentions.thread(conn, item, seen),
                  corrections=label_corrections.list_corrections(
                      conn, seen, post_id=post_id, limit=100),
                  author_count=author_count, author_url=author_url, original=original)


def detail_context(frame: Frame, principal: Principal, found: Detail) -> dict[str, Any]:
    """What ``brand/mentions/detail.html`` and its labels fragment need."""
    assert frame.brand is not None
    labels = labels_for(frame.locale)
    here = f"/brands/{frame.brand.id}/mentions/{found.item.id}"
    return {"frame": frame, "detail": found, "item": found.item, "labels": labels,
            "aspects": labels.aspects, "sentiments": mentions.SENTIMENTS,
            "can_correct": may_correct(principal, frame.brand), "back": here,
            "list_url": f"/brands/{frame.brand.id}/mentions"}


@router.get("/brands/{brand_id}/mentions/{post_id}")
def mention_page(brand_id: BrandId, post_id: PostId, principal: CurrentPrincipal,
                 request: Request) -> Response:
    """One mention of the brand: text, author, thread, enrichments, brands, corrections."""
    with get_engine(request).connect() as conn:
        frame = _frame(request, conn, principal, brand_id)
        found = detail(conn, principal, brand_id, post_id)
    return templates_of(request).render("brand/mentions/detail.html", frame.locale,
                                        detail_context(frame, principal, found))


# --- corrections ------------------------------------------------------------------------------


def _corrected(request: Request, principal: Principal, brand_id: int, post_id: int,
               view: str, next_path: str, announce: str) -> Response:
    """After a correction: the corrected fragment for htmx, else back to ``next_path``."""
    if request.headers.get("hx-request") != "true":
        fallback = f"/brands/{brand_id}/mentions/{post_id}"
        target = local_path(next_path, fallback)
        anchor = "#mention-labels" if view == "detail" else f"#mention-{post_id}"
        return redirect(request, target + ("" if "#" in target else anchor))
    engine = get_engine(request)
    with engine.connect() as conn:
        frame = _frame(request, conn, principal, brand_id)
        if view == "detail":
            context = detail_context(frame, principal, detail(conn, principal, brand_id,
                                                              post_id))
            template = "brand/mentions/labels.html"
        else:
            item, _ = _mention(conn, principal, brand_id, post_id)
            context = {"frame": frame, "item": item, "mentions": Results(items=[item]),
                       **list_context(frame, principal, {})}
            context["back"] = local_path(next_path, context["back"])
            template = "brand/mentions/item.html"
    context["announce"] = announce
    return templates_of(request).render(template, frame.locale, context)


def _check_brand(request: Request, principal: Principal, brand_id: int) -> None:
    with get_engine(request).connect() as conn:
        visible(principal, conn, brand_id)


@router.post("/brands/{brand_id}/mentions/{post_id}/sentiment")
def correct_sentiment(brand_id: BrandId, post_id: PostId, principal: CurrentPrincipal,
                      request: Request, sentiment: Field = "", view: Field = "item",
                      next: Field = "") -> Response:
    """Correct the mention's sentiment for this brand, as ``POST /api/v1/corrections``
    does (E604 for a viewer, E605 for a post that is not the brand's)."""
    _check_brand(request, principal, brand_id)
    if sentiment not in mentions.SENTIMENTS:
        raise ConfianceError("E613", name="sentiment",
                             reason="use one of " + ", ".join(mentions.SENTIMENTS))
    create_correction(CorrectionIn(post_id=post_id, brand_id=brand_id, sentiment=sentiment),
                      principal, request)
    return _corrected(request, principal, brand_id, post_id, view, next, sentiment)


@router.post("/brands/{brand_id}/mentions/{post_id}/topics")
def correct_topics(brand_id: BrandId, post_id: PostId, principal: CurrentPrincipal,
                   request: Request, add: Field = "", remove: Field = "",
                   view: Field = "detail", next: Field = "") -> Response:
    """Add an aspect of the brand's list to the mention's topics, or remove one, as
    ``POST /api/v1/corrections`` does (E634 for an aspect not in the list)."""
    _check_brand(request, principal, brand_id)
    with get_engine(request).connect() as conn:
        item, _ = _mention(conn, principal, brand_id, post_id)
        topics = label_corrections.current_topics(conn, item.id)  # E635: not enriched
    known = [aspect.id for aspect in default_aspects()]
    if add and add not in known:
        raise ConfianceError("E634", topic=add[:60], known=", ".join(known))
    wanted = sorted((set(topics) | ({add} if add else set())) - {remove})
    create_correction(CorrectionIn(post_id=post_id, brand_id=brand_id, topics=wanted),
                      principal, request)
    return _corrected(request, principal, brand_id, post_id, view, next, "topics")
