"""The demo data set: a fictional French candle brand, two competitors, 90 days of talk.

:func:`generate` writes, into one folder:

* ``x-v2.jsonl``: the X items as X API v2 search response pages (JSON Lines, newest first,
  100 tweets a page), the shape the ``x-v2`` importer reads;
* ``canonical.ndjson``: every other platform's items as canonical ``Post`` JSON, one a line;
* ``episodes.json``: the backlash window, for crisis-detection replays;
* ``labels.ndjson``: what each item was meant to be (topic, sentiment, campaign, episode);
* ``manifest.json``: seed, counts, date range, brands with suggested queries.

The same seed and options give byte-identical files; nothing reads the clock or global state.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from random import Random

from confiance.demo import manifest as m
from confiance.demo import vocab
from confiance.demo.drafts import Draft, add_media, assign_id, engagement, rating_for
from confiance.demo.people import People, Persona
from confiance.demo.plan import Planner, Setup
from confiance.demo.text import Ask, Composer
from confiance.demo.timeline import DAY, HOUR, Timeline, iso, paris_ts, to_ts
from confiance.demo.writers import canonical, label, write_json, write_lines, write_x_pages

DEFAULT_END = datetime(2026, 11, 15, tzinfo=UTC)
"""Where the default 90 days end (exclusive)."""
EPISODE_NAME = "hausse-des-prix"
EPISODE_HOURS = 84
CAMPAIGN_NAME = "ma-lumiere-a-moi"


@dataclass(frozen=True)
class Story:
    """A planned and rendered run, before anything is written."""

    seed: int
    days: int
    setup: Setup
    drafts: list[Draft]
    people: People
    accounts: dict[str, dict[str, Persona]]
    advocates: list[Persona]


def setup_for(*, posts: int, days: int, end: datetime) -> Setup:
    """The storyline's fixed moments: campaign launch at 2/9 of the span (11:00 Paris), price
    increase at 2/3 of it (18:00 Paris, day 60 of 90), backlash window of 84 hours."""
    if posts < 200:
        raise ValueError("the demo needs at least 200 posts")
    if days < 14:
        raise ValueError("the demo needs at least 14 days")
    end_ts = to_ts(end)
    start = end_ts - days * DAY
    episode_start = paris_ts(start + (days * 2 // 3) * DAY, 18)
    return Setup(posts=posts, start=start, end=end_ts,
                 launch=paris_ts(start + (days * 2 // 9) * DAY, 11),
                 episode_start=episode_start,
                 episode_end=min(episode_start + EPISODE_HOURS * HOUR, end_ts))


def build(*, seed: int = 7, posts: int = 6000, days: int = 90,
          end: datetime = DEFAULT_END) -> Story:
    """Plan and render every item of a run, in memory; :func:`generate` writes it out."""
    setup = setup_for(posts=posts, days=days, end=end)
    rng = Random(seed)
    people = People(rng, start=setup.start)
    planner = Planner(rng, people, Timeline(setup.start, setup.end), setup)
    drafts = planner.run()
    render(drafts, Random(f"{seed}/text"))
    return Story(seed=seed, days=days, setup=setup, drafts=drafts, people=people,
                 accounts=planner.accounts, advocates=planner.advocates)


def render(drafts: list[Draft], rng: Random, *, composer: Composer | None = None) -> None:
    """Texts, ids, media, ratings and counters, in time order (parents before replies).

    ``composer`` (drawing from the same ``rng``) writes the texts; the demo's by default.
    """
    composer = composer or Composer(rng)
    drafts.sort(key=lambda d: d.ts)
    used: set[tuple[str, str]] = set()
    for sequence, draft in enumerate(drafts):
        text = composer.compose(ask_for(draft))
        draft.text, draft.title = text.text, text.title
        if draft.style == "review":
            draft.rating = rating_for(rng, draft.mood)
        assign_id(rng, draft, sequence)
        while (draft.platform, draft.uid) in used:
            assign_id(rng, draft, sequence + len(drafts))
        used.add((draft.platform, draft.uid))
        add_media(rng, draft)
    for draft in drafts:
        engagement(rng, draft)


def ask_for(draft: Draft) -> Ask:
    """What the composer should write for ``draft``."""
    parent = draft.parent
    reply_to = parent.author.handle if parent is not None and draft.platform == "x" else None
    prenom = parent.author.first if parent is not None and draft.style == "brand_reply" else None
    if prenom and parent is not None and parent.author.platform == "appstore":
        prenom = None
    return Ask(platform=draft.platform, key=draft.key, mood=draft.mood, lang=draft.lang,
               target=draft.target, style=draft.style, mixed=draft.mixed, reply_to=reply_to,
               prenom=prenom, friend=draft.friend, campaign=draft.campaign,
               episode=draft.episode)


def generate(out_dir: Path, *, seed: int = 7, posts: int = 6000, days: int = 90,
             end: datetime = DEFAULT_END) -> m.DemoManifest:
    """Write the demo data set into ``out_dir`` (created if needed) and describe it.

    ``posts`` items in all (replies included) over the ``days`` days before ``end``.
    The same arguments always give byte-identical files.
    """
    story = build(seed=seed, posts=posts, days=days, end=end)
    out_dir.mkdir(parents=True, exist_ok=True)
    tweets = [d for d in story.drafts if d.platform == "x"]
    others = [d for d in story.drafts if d.platform != "x"]
    others.sort(key=lambda d: (d.ts, d.platform, d.uid))
    write_x_pages(out_dir / "x-v2.jsonl", tweets, story.people.everyone, seed)
    write_lines(out_dir / "canonical.ndjson", (canonical(d) for d in others))
    ordered = sorted(story.drafts, key=lambda d: (d.ts, d.platform, d.uid))
    write_lines(out_dir / "labels.ndjson", (label(d) for d in ordered))
    manifest = describe(story, files={"x-v2.jsonl": len(tweets),
                                      "canonical.ndjson": len(others),
                                      "labels.ndjson": len(ordered), "episodes.json": 1})
    write_json(out_dir / "episodes.json", manifest.episodes)
    write_json(out_dir / "manifest.json", manifest.to_dict())
    return manifest


def describe(story: Story, *, files: dict[str, int] | None = None) -> m.DemoManifest:
    """The manifest of a built story."""
    setup = story.setup
    tables = m.counts(story.drafts)
    brand, competitors = m.brand_entries()
    return m.DemoManifest(
        seed=story.seed, posts=len(story.drafts), days=story.days,
        start=datetime.fromtimestamp(setup.start, UTC),
        end=datetime.fromtimestamp(setup.end, UTC),
        platforms=tables["platforms"], languages=tables["languages"], kinds=tables["kinds"],
        sentiments=tables["sentiments"],
        authors=len({(d.author.platform, d.author.uid) for d in story.drafts}),
        brand=brand, competitors=competitors, handles=m.handles(story.accounts),
        advocates=m.advocates(story.drafts, story.advocates),
        campaign={"name": CAMPAIGN_NAME, "hashtag": vocab.CAMPAIGN_TAG,
                  "start": iso(setup.launch), "end": iso(setup.end)},
        episodes=[{"name": EPISODE_NAME, "start": iso(setup.episode_start),
                   "end": iso(setup.episode_end)}],
        files=files or {},
    )
