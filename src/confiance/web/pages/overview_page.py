"""The overview page of a brand: its dashboard, drawn on the server in one request.

``overview_context`` fills the page ``brand.py`` serves at ``/brands/{id}/overview``: it reads
the period from the query string (``?since=&until=&compare=&granularity=``, the GET form of
the period picker, so that the address can be shared), computes every block with
:func:`confiance.store.dashboard_snapshot.overview` (the rollups make it fast) and hands the
template an :class:`OverviewView`: the blocks as the API answers them, the volume series in
the buckets asked for, labels and dates localised for the reader, and the Chart.js
configurations the ``ui.chart`` macro draws. Every word shown comes from the template (the
only place ``pybabel extract`` looks); the chart builders receive the translated names from
it.

A period the store refuses (E640, E641, E643) or a date that cannot be read (E613) is shown
next to its field, and the page shows the default period meanwhile, never an error page.
``router`` would hold this page's own extra routes; it has none.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any, Literal
from urllib.parse import urlencode

from babel import Locale
from babel.dates import format_skeleton, format_time
from fastapi import APIRouter, Request
from sqlalchemy import Connection
from starlette.datastructures import QueryParams

from confiance.core.errors import ConfianceError
from confiance.store import dashboard, dashboard_snapshot
from confiance.store.dashboard_blocks import GranularityChoice, Overview, Period, Slice, Voice
from confiance.web.api.overview import block_cache
from confiance.web.pages import i18n
from confiance.web.pages.frame import Frame

router = APIRouter(include_in_schema=False)

Choice = Literal["auto", "day", "week", "month"]
CHOICES: tuple[Choice, ...] = ("auto", "day", "week", "month")
"""The intervals of the volume chart the picker offers (``month`` sums the days)."""
PRESETS = (7, 30, 90)
"""The preset periods, in days ending on the day of the brand's newest mention."""
PERIOD_ERRORS = ("E613", "E640", "E641", "E643")
"""The errors a period can meet, shown next to the picker's fields."""
SENTIMENTS = ("positive", "neutral", "negative", "unknown")
SENTIMENT_COLOURS = {"positive": "#1a4fa0", "neutral": "#8a939e", "negative": "#c8463d",
                     "unknown": "#cdd3da"}
"""Chart colours of the sentiments (the tables beside the charts carry the same figures)."""
BRAND_COLOURS = ("#1a4fa0", "#e07b00", "#7b4fb3", "#2a9d8f", "#c2417a", "#6b7280", "#8c6d1f",
                 "#3c8dbc")
"""Chart colours of the brand (first) and its competitors."""
PREVIOUS_COLOUR = "#b8c0ca"
PLATFORMS = {"x": "X", "instagram": "Instagram", "facebook": "Facebook", "youtube": "YouTube",
             "reddit": "Reddit", "mastodon": "Mastodon", "bluesky": "Bluesky",
             "tiktok": "TikTok", "trustpilot": "Trustpilot", "google": "Google",
             "appstore": "App Store", "googleplay": "Google Play"}
"""Platforms by their own names; ``web``, ``other`` and unknown keys are named by the
template (``names``)."""
BREAKDOWN_BARS = 8
"""The platforms or languages a breakdown chart draws (the table lists them all)."""

Names = Mapping[str, str]
"""Translated words the template hands the chart builders: the sentiments (``positive``...),
``web``, ``other``, ``no_language``, ``current``, ``previous``, ``mentions``."""


# --- the period asked for ------------------------------------------------------------------


@dataclass(frozen=True)
class Asked:
    """The picker's fields as the query string gives them."""

    since: date | None = None
    until: date | None = None
    since_text: str = ""
    until_text: str = ""
    compare: bool = True
    granularity: Choice = "auto"
    error: ConfianceError | None = None


def read_query(params: QueryParams) -> Asked:
    """The period, comparison and interval of ``?since=&until=&compare=&granularity=``.

    ``compare`` is on unless its last value is ``0`` (the form sends a hidden ``0`` before
    the checkbox's ``1``); an unknown interval is ``auto``; a date that cannot be read is
    E613 (on the first such field)."""
    texts = {name: (params.get(name) or "").strip()[:40] for name in ("since", "until")}
    days: dict[str, date | None] = {}
    error = None
    for name, text in texts.items():
        try:
            days[name] = date.fromisoformat(text) if text else None
        except ValueError:
            days[name] = None
            error = error or ConfianceError("E613", name=name, value=text,
                                            reason="write a date as YYYY-MM-DD")
    compare = params.getlist("compare")
    granularity = params.get("granularity") or "auto"
    return Asked(since=days["since"], until=days["until"], since_text=texts["since"],
                 until_text=texts["until"],
                 compare=not compare or compare[-1] not in ("0", "false", "off"),
                 granularity=granularity if granularity in CHOICES else "auto",
                 error=error)


@dataclass(frozen=True)
class Preset:
    """A link of the picker to the last ``days`` days with data."""

    days: int
    url: str
    current: bool


@dataclass(frozen=True)
class Picker:
    """What the period picker shows: its fields, presets and error."""

    path: str
    since: str
    until: str
    compare: bool
    granularity: Choice
    newest: date
    presets: list[Preset]
    error: ConfianceError | None = None
    asked_since: date | None = None
    asked_until: date | None = None

    @property
    def error_field(self) -> str | None:
        """The field the error is about (``since`` or ``until``)."""
        if self.error is None:
            return None
        details = self.error.details
        if self.error.code == "E613":
            return str(details.get("name", "since"))
        if self.error.code == "E643":
            return "since" if details.get("day") == self.since else "until"
        return "since" if self.error.code == "E641" else "until"


def _query(since: date, until: date, compare: bool, granularity: Choice) -> str:
    pairs = [("since", since.isoformat()), ("until", until.isoformat())]
    if not compare:
        pairs.append(("compare", "0"))
    if granularity != "auto":
        pairs.append(("granularity", granularity))
    return "?" + urlencode(pairs)


def picker_for(path: str, asked: Asked, period: Period, newest: date,
               error: ConfianceError | None) -> Picker:
    """The picker of ``period`` (the fields keep what was typed when it was refused)."""
    presets = []
    for days in PRESETS:
        since = newest - timedelta(days=days - 1)
        presets.append(Preset(days=days, url=path + _query(since, newest, asked.compare,
                                                              asked.granularity),
                              current=error is None and period == Period(since=since,
                                                                         until=newest)))
    typed = error is not None
    return Picker(path=path, since=asked.since_text if typed else period.since.isoformat(),
                  until=asked.until_text if typed else period.until.isoformat(),
                  compare=asked.compare, granularity=asked.granularity, newest=newest,
                  presets=presets, error=error, asked_since=asked.since,
                  asked_until=asked.until)


# --- the view ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bucket:
    """One bucket of the volume series, with its labels."""

    start: datetime
    label: str
    """Short, for the chart's axis (``1 févr.`` / ``Feb 1``)."""
    title: str
    """Long, for the table (``1 févr. 2026``)."""
    counts: dict[str, int]
    """Posts by sentiment."""
    posts: int
    engagement: int


@dataclass(frozen=True)
class OverviewView:
    """The blocks of one period, localised, with their charts."""

    data: Overview
    locale: str
    granularity: str
    """What the volume buckets are: hour, day, week or month."""
    buckets: list[Bucket]
    compared: bool
    topic_names: Mapping[str, str] = field(default_factory=dict)

    @property
    def own(self) -> Voice:
        """The brand's own share of voice."""
        return next(v for v in self.data.share_of_voice.brands if v.own)

    @property
    def has_competitors(self) -> bool:
        """Whether the brand has competitors to compare with."""
        return len(self.data.share_of_voice.brands) > 1

    @property
    def has_unknown(self) -> bool:
        """Whether some posts of the period are not analysed yet."""
        return self.data.totals.sentiment.unknown > 0

    def platform(self, key: str | None, names: Names) -> str:
        """A platform's name."""
        if key in PLATFORMS:
            return PLATFORMS[key]
        return names.get(key or "other") or names.get("other") or str(key)

    def language(self, key: str | None, names: Names) -> str:
        """A language's name in the reader's language (``Français`` / ``French``)."""
        if not key:
            return names.get("no_language", "?")
        found = Locale.parse(self.locale).languages.get(key)
        return found[:1].upper() + found[1:] if found else key

    def topic(self, key: str) -> str:
        """A topic's label in the reader's language (the aspect's, else its id)."""
        return self.topic_names.get(key) or key.replace("_", " ").capitalize()

    def share_of(self, part: int, whole: int) -> float | None:
        """``part / whole`` (None when ``whole`` is 0), for the ``percent`` filter."""
        return part / whole if whole else None

    def volume_chart(self, names: Names) -> dict[str, Any]:
        """The stacked bars of posts by sentiment per bucket."""
        shown = [s for s in SENTIMENTS if s != "unknown" or self.has_unknown]
        datasets = [{"label": names[s], "data": [b.counts[s] for b in self.buckets],
                     "backgroundColor": SENTIMENT_COLOURS[s], "stack": "posts"} for s in shown]
        return _bars([b.label for b in self.buckets], datasets, stacked=True)

    def breakdown_chart(self, by: str, names: Names) -> dict[str, Any]:
        """Horizontal stacked bars of posts by sentiment per platform or language."""
        slices: list[Slice] = (self.data.breakdown.by_platform if by == "platform"
                               else self.data.breakdown.by_language)[:BREAKDOWN_BARS]
        label: Callable[[str | None, Names], str] = (
            self.platform if by == "platform" else self.language)
        shown = [s for s in SENTIMENTS if s != "unknown" or self.has_unknown]
        datasets = [{"label": names[s],
                     "data": [getattr(part.sentiment, s) for part in slices],
                     "backgroundColor": SENTIMENT_COLOURS[s]} for s in shown]
        return _bars([label(part.key, names) for part in slices], datasets, stacked=True,
                     horizontal=True)

    def share_chart(self, names: Names) -> dict[str, Any]:
        """The doughnut of the brand's and its competitors' mentions."""
        voices = self.data.share_of_voice.brands
        return {"type": "doughnut", "data": {
            "labels": [v.name for v in voices],
            "datasets": [{"label": names["mentions"], "data": [v.posts for v in voices],
                          "backgroundColor": [BRAND_COLOURS[i % len(BRAND_COLOURS)]
                                              for i in range(len(voices))]}]},
            "options": {"plugins": {"legend": {"position": "bottom"}}}}

    def topics_chart(self, names: Names) -> dict[str, Any]:
        """Horizontal bars of each top topic's posts, and of the previous period's."""
        items = self.data.topics.items
        datasets = [{"label": names["current"], "data": [t.posts.value for t in items],
                     "backgroundColor": BRAND_COLOURS[0]}]
        if self.compared:
            datasets.append({"label": names["previous"],
                             "data": [t.posts.previous or 0 for t in items],
                             "backgroundColor": PREVIOUS_COLOUR})
        return _bars([self.topic(t.topic) for t in items], datasets, stacked=False,
                     horizontal=True)


def _bars(labels: list[str], datasets: list[dict[str, Any]], *, stacked: bool,
          horizontal: bool = False) -> dict[str, Any]:
    """A Chart.js bar chart: counts from zero, legend below, one tooltip per category."""
    value_axis, label_axis = ("x", "y") if horizontal else ("y", "x")
    options: dict[str, Any] = {
        "interaction": {"mode": "index", "intersect": False},
        "plugins": {"legend": {"position": "bottom"}},
        "scales": {
            value_axis: {"stacked": stacked, "beginAtZero": True, "ticks": {"precision": 0}},
            label_axis: {"stacked": stacked, "ticks": {"autoSkipPadding": 12},
                         "grid": {"display": False}}}}
    if horizontal:
        options["indexAxis"] = "y"
    else:
        options["scales"]["x"]["ticks"]["maxRotation"] = 0
    return {"type": "bar", "data": {"labels": labels, "datasets": datasets}, "options": options}


# --- the volume series ----------------------------------------------------------------------


def buckets(data: Overview, choice: Choice, locale: str) -> tuple[str, list[Bucket]]:
    """The volume series in the buckets asked for (months: the days summed), labelled."""
    granularity: str = "month" if choice == "month" else data.volume.granularity
    sums: dict[datetime, tuple[dict[str, int], list[int]]] = {}
    for point in data.volume.points:
        start = point.start
        if granularity == "month":
            start = datetime.combine(start.date().replace(day=1), time(), UTC)
        counts, totals = sums.setdefault(start, ({s: 0 for s in SENTIMENTS}, [0, 0]))
        for sentiment in SENTIMENTS:
            counts[sentiment] += getattr(point, sentiment)
        totals[0] += point.posts
        totals[1] += point.engagement
    long = data.period.days > 300
    return granularity, [
        Bucket(start=start, label=_label(start, granularity, locale, long=long),
               title=_title(start, granularity, locale), counts=counts, posts=totals[0],
               engagement=totals[1])
        for start, (counts, totals) in sums.items()]


def _label(start: datetime, granularity: str, locale: str, *, long: bool) -> str:
    if granularity == "hour":
        return format_time(start, "short", locale=locale)
    if granularity == "month":
        return format_skeleton("yMMM", start, locale=locale)
    return format_skeleton("yMMMd" if long else "MMMd", start, locale=locale)


def _title(start: datetime, granularity: str, locale: str) -> str:
    if granularity == "hour":
        return i18n.when(start, locale)
    if granularity == "month":
        return format_skeleton("yMMMM", start, locale=locale)
    return i18n.when(start.date(), locale)


@lru_cache(maxsize=4)
def topic_names(locale: str) -> Mapping[str, str]:
    """The default aspects' labels in ``locale`` (read once)."""
    from confiance.enrich.aspects import default_aspects  # numpy: only when a page needs it

    return {a.id: a.label_fr if locale == "fr" else a.label_en for a in default_aspects()}


# --- the page ------------------------------------------------------------------------------


def _period(asked: Asked, newest: date) -> tuple[Period, ConfianceError | None]:
    """The period asked for, or the default one (ending on ``newest``) and why the asked one
    cannot be used."""
    if asked.error is not None:
        return dashboard.period_for(newest), asked.error
    try:
        return dashboard.period_for(newest, asked.since, asked.until), None
    except ConfianceError as error:
        if error.code not in PERIOD_ERRORS:
            raise
        return dashboard.period_for(newest), error


def overview_context(conn: Connection, frame: Frame, request: Request) -> dict[str, Any]:
    """The overview's data (``overview``: an :class:`OverviewView`, None when the brand has
    no dated mention yet), its period picker (``picker``), and no fragment URL
    (``overview_url``: everything is drawn in this request)."""
    assert frame.brand is not None
    brand_id = frame.brand.id
    newest = dashboard.newest_day(conn, brand_id)
    if newest is None:
        return {"overview": None, "overview_url": None, "picker": None}
    asked = read_query(request.query_params)
    period, error = _period(asked, newest)
    store_choice: GranularityChoice = "day" if asked.granularity == "month" else \
        asked.granularity
    data = dashboard_snapshot.overview(conn, brand_id, period.since, period.until,
                                       compare=asked.compare, granularity=store_choice,
                                       cache=block_cache(request.app))  # the API's cache
    granularity, series = buckets(data, asked.granularity, frame.locale)
    view = OverviewView(data=data, locale=frame.locale, granularity=granularity,
                        buckets=series, compared=asked.compare,
                        topic_names=topic_names(frame.locale))
    picker = picker_for(request.url.path, asked, period, newest, error)
    return {"overview": view, "overview_url": None, "picker": picker}
