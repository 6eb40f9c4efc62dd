"""What a demo run holds: the facts written to ``manifest.json`` and returned to callers."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from confiance.demo import vocab as v
from confiance.demo.drafts import Draft
from confiance.demo.people import Persona

FORMAT_VERSION = 1


@dataclass(frozen=True)
class DemoManifest:
    """The facts of one generated demo data set.

    ``brand`` and each entry of ``competitors`` have the shape of
    :class:`confiance.domain.Brand` (name, suggested query, hashtags, competitors);
    ``episodes`` is what ``episodes.json`` holds; ``files`` maps each written file to the
    number of items (X: tweets, not pages) it holds.
    """

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
    advocates: list[dict[str, Any]]
    campaign: dict[str, Any]
    episodes: list[dict[str, str]]
    files: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (times as ISO 8601 strings)."""
        data = asdict(self)
        data["start"] = _iso(self.start)
        data["end"] = _iso(self.end)
        return {"generator": "confiance.demo", "format_version": FORMAT_VERSION, **data}


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def brand_entries() -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The brand and its competitors as ``Brand``-shaped dicts with suggested queries."""
    competitors = [name for name, _ in v.COMPETITORS.values()]
    brand = {"name": v.BRAND, "query": _query(v.BRAND, v.BRAND_HANDLE, (v.CAMPAIGN_TAG,)),
             "hashtags": [v.BRAND_TAG, v.CAMPAIGN_TAG], "competitors": competitors}
    others = [{"name": name, "query": _query(name, handle, ()), "hashtags": [handle],
               "competitors": [v.BRAND]} for name, handle in v.COMPETITORS.values()]
    return brand, others


def _query(name: str, handle: str, extra: tuple[str, ...]) -> str:
    plain = name.replace("è", "e").replace("é", "e")
    terms = [f'"{name}"', f'"{plain}"', f"@{handle}", f"#{handle}", *(f"#{t}" for t in extra)]
    return " OR ".join(dict.fromkeys(terms))


def handles(accounts: dict[str, dict[str, Persona]]) -> dict[str, dict[str, str]]:
    """Each brand's own handle per platform."""
    names = {"brand": v.BRAND, **{k: name for k, (name, _) in v.COMPETITORS.items()}}
    return {names[key]: {platform: p.handle or p.uid for platform, p in per.items()}
            for key, per in accounts.items()}


def advocates(drafts: list[Draft], found: list[Persona]) -> list[dict[str, Any]]:
    """The planted advocates with how many items each wrote."""
    written = Counter(d.author.uid for d in drafts)
    return [{"platform": p.platform, "handle": p.handle, "platform_id": p.uid,
             "followers": p.followers, "posts": written[p.uid]} for p in found]


def counts(drafts: list[Draft]) -> dict[str, dict[str, int]]:
    """Items per platform, language, kind and sentiment, most frequent first."""
    def table(values: list[str]) -> dict[str, int]:
        return dict(sorted(Counter(values).items(), key=lambda kv: (-kv[1], kv[0])))

    return {
        "platforms": table([d.platform for d in drafts]),
        "languages": table([d.lang for d in drafts]),
        "kinds": table([d.kind for d in drafts]),
        "sentiments": table([d.mood for d in drafts]),
    }
