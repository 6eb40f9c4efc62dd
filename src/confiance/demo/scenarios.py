"""Crisis scenarios: labelled replay streams of the demo's world, to prove crisis detection.

Each scenario is 90 days of the demo's everyday talk about Maison Lumière and its competitors
(same people, platforms, rhythm and phrase banks, without the price backlash) plus one
storyline:

* ``calme``: everyday talk only (no photo campaign either); no episode;
* ``boycott-lent``: an activist account calls for a boycott over the wax (#StopBougiesToxiques);
  it builds up over three days, spreads across platforms, then fades; one episode;
* ``post-viral``: a customer with about 250k followers posts a photo of a candle that burst;
  hundreds of replies within the hour, gone within two days; one episode;
* ``pic-saisonnier``: Christmas shopping, volume rising smoothly to about three times the
  usual, mostly positive; no episode (any alert is a false alarm).

:func:`generate_scenario` writes ``stream.ndjson`` (every item, X included, as canonical
``Post`` JSON sorted by time), ``episodes.json``, ``labels.ndjson`` and ``manifest.json``;
:func:`write_stream` writes the demo itself as one such stream.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from random import Random
from types import MappingProxyType
from typing import Any

from confiance.demo import manifest as m
from confiance.demo import vocab
from confiance.demo.drafts import Draft, engagement
from confiance.demo.generator import DEFAULT_END, build, render
from confiance.demo.people import People, rand_chars
from confiance.demo.plan import Setup
from confiance.demo.scenario_crises import BoycottPlanner, ViralPlanner
from confiance.demo.scenario_plan import ScenarioPlanner, SeasonPlanner
from confiance.demo.scenario_text import ScenarioComposer
from confiance.demo.timeline import DAY, Timeline, iso, paris_ts, to_ts
from confiance.demo.writers import canonical, label, write_json, write_lines

_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


@dataclass(frozen=True)
class Scenario:
    """One named scenario: its storyline, default end and size of the storyline.

    ``extra`` is the storyline's number of items as a share of ``posts``: taken from the
    everyday budget (``on_top=False``) or added on top of it (``on_top=True``).
    """

    name: str
    summary: str
    planner: type[ScenarioPlanner]
    end: datetime = DEFAULT_END
    campaign: bool = True
    extra: float = 0.0
    on_top: bool = False


SCENARIOS: Mapping[str, Scenario] = MappingProxyType(
    {
        "calme": Scenario(
            "calme",
            "90 jours de conversations ordinaires, sans événement",
            ScenarioPlanner,
            campaign=False,
        ),
        "boycott-lent": Scenario(
            "boycott-lent",
            "Appel au boycott sur la composition des bougies "
            "(#StopBougiesToxiques), montée lente sur trois jours puis reflux",
            BoycottPlanner,
            extra=0.1,
        ),
        "post-viral": Scenario(
            "post-viral",
            "Photo virale d'une bougie qui a éclaté (250k abonnés), des centaines de "
            "réponses en une heure, retombée en deux jours",
            ViralPlanner,
            extra=0.15,
            on_top=True,
        ),
        "pic-saisonnier": Scenario(
            "pic-saisonnier",
            "Achats de Noël : volume multiplié par trois en deux semaines, "
            "surtout positif ; pas une crise",
            SeasonPlanner,
            end=datetime(2027, 1, 4, tzinfo=UTC),
        ),
    }
)
"""The named scenarios, by name."""


@dataclass(frozen=True)
class ScenarioManifest:
    """The facts of one generated scenario, as written to ``manifest.json``.

    ``episodes`` is what ``episodes.json`` holds (empty when nothing should raise an alert);
    ``moments`` are the storyline's key moments (with the item, where one marks it);
    ``files`` maps each written file to its number of items.
    """

    scenario: str
    summary: str
    seed: int
    posts: int
    days: int
    start: datetime
    end: datetime
    platforms: dict[str, int]
    languages: dict[str, int]
    kinds: dict[str, int]
    sentiments: dict[str, int]
    authors: int
    brand: dict[str, Any]
    competitors: list[dict[str, Any]]
    handles: dict[str, dict[str, str]]
    campaign: dict[str, Any] | None
    episodes: list[dict[str, str]]
    moments: list[dict[str, Any]]
    hashtags: list[str]
    files: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (times as ISO 8601 strings)."""
        data = asdict(self)
        data["start"] = iso(to_ts(self.start))
        data["end"] = iso(to_ts(self.end))
        return {"generator": "confiance.demo.scenarios", "format_version": 1, **data}


@dataclass(frozen=True)
class ScenarioStory:
    """A planned and rendered scenario, before anything is written."""

    scenario: Scenario
    seed: int
    days: int
    setup: Setup
    drafts: list[Draft]
    planner: ScenarioPlanner


def build_scenario(
    name: str, *, seed: int = 7, posts: int = 6000, days: int = 90, end: datetime | None = None
) -> ScenarioStory:
    """Plan and render every item of scenario ``name`` in memory.

    ``posts`` everyday items (the viral burst comes on top of them) over the ``days`` days
    before ``end`` (default: the scenario's own end).
    """
    if name not in SCENARIOS:
        raise ValueError(f"unknown scenario {name!r}; choose one of {', '.join(SCENARIOS)}")
    if posts < 1000:
        raise ValueError("a scenario needs at least 1000 posts")
    if days < 30:
        raise ValueError("a scenario needs at least 30 days")
    scenario = SCENARIOS[name]
    end_ts = to_ts(end or scenario.end)
    start = end_ts - days * DAY
    extra = round(posts * scenario.extra)
    setup = Setup(
        posts=posts if scenario.on_top else posts - extra,
        start=start,
        end=end_ts,
        launch=paris_ts(start + (days * 2 // 9) * DAY, 11),
        episode_start=end_ts,
        episode_end=end_ts,
        backlash=False,
        campaign=scenario.campaign,
    )
    rng = Random(seed)
    people = People(rng, start=start)
    planner = scenario.planner(rng, people, Timeline(start, end_ts), setup, extra=extra)
    drafts = planner.run()
    text_rng = Random(f"{seed}/text")
    render(drafts, text_rng, composer=ScenarioComposer(text_rng, names=planner.names))
    _storyline_media(planner, Random(f"{seed}/media"))
    return ScenarioStory(
        scenario=scenario, seed=seed, days=days, setup=setup, drafts=drafts, planner=planner
    )


def generate_scenario(
    out_dir: Path,
    name: str,
    *,
    seed: int = 7,
    posts: int = 6000,
    days: int = 90,
    end: datetime | None = None,
) -> ScenarioManifest:
    """Write scenario ``name`` into ``out_dir`` (created if needed) and describe it.

    Writes ``stream.ndjson``, ``episodes.json``, ``labels.ndjson`` and ``manifest.json``;
    the same arguments always give byte-identical files.
    """
    story = build_scenario(name, seed=seed, posts=posts, days=days, end=end)
    out_dir.mkdir(parents=True, exist_ok=True)
    ordered = _ordered(story.drafts)
    count = write_lines(out_dir / "stream.ndjson", (stream_post(d) for d in ordered))
    write_lines(out_dir / "labels.ndjson", (label(d) for d in ordered))
    episodes = 0 if story.planner.episode is None else 1
    manifest = describe_scenario(
        story, files={"stream.ndjson": count, "labels.ndjson": count, "episodes.json": episodes}
    )
    write_json(out_dir / "episodes.json", manifest.episodes)
    write_json(out_dir / "manifest.json", manifest.to_dict())
    return manifest


def write_stream(
    out_dir: Path, *, seed: int = 7, posts: int = 6000, days: int = 90, end: datetime = DEFAULT_END
) -> int:
    """Write the demo data set (same options as ``generate``) as one ``stream.ndjson``:
    every item, X included, as canonical ``Post`` JSON sorted by time. Returns the count."""
    story = build(seed=seed, posts=posts, days=days, end=end)
    out_dir.mkdir(parents=True, exist_ok=True)
    return write_lines(out_dir / "stream.ndjson", (stream_post(d) for d in _ordered(story.drafts)))


def stream_post(draft: Draft) -> dict[str, Any]:
    """The item as canonical ``Post`` JSON; X items as the ``x-v2`` importer reads them
    (shares are retweets plus quotes) with ``raw`` left out."""
    post = canonical(draft)
    if draft.platform == "x":
        counts = draft.counts
        post["metrics"]["shares"] = (counts.get("shares") or 0) + (counts.get("quotes") or 0)
    return post


def describe_scenario(
    story: ScenarioStory, *, files: dict[str, int] | None = None
) -> ScenarioManifest:
    """The manifest of a built scenario."""
    setup, planner, scenario = story.setup, story.planner, story.scenario
    tables = m.counts(story.drafts)
    brand, competitors = m.brand_entries()
    episodes = [] if planner.episode is None else [_window(scenario.name, planner.episode)]
    return ScenarioManifest(
        scenario=scenario.name,
        summary=scenario.summary,
        seed=story.seed,
        posts=len(story.drafts),
        days=story.days,
        start=datetime.fromtimestamp(setup.start, UTC),
        end=datetime.fromtimestamp(setup.end, UTC),
        platforms=tables["platforms"],
        languages=tables["languages"],
        kinds=tables["kinds"],
        sentiments=tables["sentiments"],
        authors=len({(d.author.platform, d.author.uid) for d in story.drafts}),
        brand=brand,
        competitors=competitors,
        handles=m.handles(planner.accounts),
        campaign=_campaign(setup),
        episodes=episodes,
        moments=[_moment(moment.name, moment.ts, moment.draft) for moment in planner.moments],
        hashtags=planner.hashtags,
        files=files or {},
    )


def _window(name: str, episode: tuple[int, int]) -> dict[str, str]:
    return {"name": name, "start": iso(episode[0]), "end": iso(episode[1])}


def _campaign(setup: Setup) -> dict[str, Any] | None:
    if not setup.campaign:
        return None
    return {
        "name": "ma-lumiere-a-moi",
        "hashtag": vocab.CAMPAIGN_TAG,
        "start": iso(setup.launch),
        "end": iso(setup.end),
    }


def _moment(name: str, ts: int, draft: Draft | None) -> dict[str, Any]:
    found: dict[str, Any] = {"name": name, "at": iso(ts)}
    if draft is not None:
        found.update(
            platform=draft.platform,
            platform_id=draft.uid,
            url=draft.url,
            author=draft.author.handle or draft.author.name,
            followers=draft.author.followers,
        )
    return found


def _ordered(drafts: list[Draft]) -> list[Draft]:
    return sorted(drafts, key=lambda d: (d.ts, d.platform, d.uid))


def _storyline_media(planner: ScenarioPlanner, rng: Random) -> None:
    """Give the storyline's key items their photos or video, then recount their reach."""
    for draft, spec in planner.media.items():
        host = (
            "https://pbs.twimg.com/media/"
            if draft.platform == "x"
            else "https://scontent.cdninstagram.com/v/t51.2885-15/"
        )
        if spec == ("video",):
            draft.media = [
                {
                    "url": f"{host}{rand_chars(rng, _B64, 15)}.mp4",
                    "type": "video",
                    "width": 1080,
                    "height": 1920,
                    "duration_s": float(int(rng.uniform(20, 45))),
                    "alt_text": None,
                }
            ]
        else:
            draft.media = [
                {
                    "url": f"{host}{rand_chars(rng, _B64, 15)}.jpg",
                    "type": "image",
                    "width": 1080,
                    "height": 1350,
                    "duration_s": None,
                    "alt_text": alt,
                }
                for alt in spec
            ]
        engagement(rng, draft)
