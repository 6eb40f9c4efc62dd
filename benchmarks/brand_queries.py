"""Brand matching speed: ``BrandMatcher`` (``confiance.brands.v1``) over generated posts.

Posts come from the demo's fast generator (``confiance.demo.fast.iter_posts``: tweet-length
texts, 90% with accents or emoji, hashtags and mentions, 22% with a title), turned into the
docs enrichment hands to components, with their language set as the language component would.
Building the docs is outside the timer; the timer covers ``BrandMatcher.pipe`` over every doc,
in batches of 1,000 as ``confiance enrich`` runs it. Two brand sets:

* ``1 brand``: the demo brand, Maison Lumière, with its suggested query (5 phrases, a
  mention, 2 hashtags);
* ``5 brands + competitors``: five brands with queries of every kind (the demo's, NOT, NEAR,
  wildcards, ``lang:``, ``title:``) and ten competitors (the demo's two with their queries,
  eight with the default query, name as a phrase or hashtags): 15 queries in all.

Each measurement is repeated ``--repeat`` times; the report quotes the median.

    python benchmarks/brand_queries.py                      # 100,000 posts, 3 repeats
    python benchmarks/brand_queries.py --posts 20000 --repeat 1     # a quick look

Results are appended to ``benchmarks/results/brand_queries.jsonl`` and printed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from confiance.demo.fast import iter_posts
from confiance.demo.manifest import brand_entries
from confiance.enrich.brands import BrandMatcher, BrandSpec
from confiance.enrich.component import Doc

HERE = Path(__file__).parent
RESULTS = HERE / "results" / "brand_queries.jsonl"
BATCH = 1000


def brand_sets() -> dict[str, list[BrandSpec]]:
    """The two brand sets measured, as (id, name, query or None, hashtags)."""
    brand, demo_rivals = brand_entries()
    lumiere: BrandSpec = (1, brand["name"], brand["query"], brand["hashtags"])
    rivals: list[BrandSpec] = [(2 + n, r["name"], r["query"], r["hashtags"])
                               for n, r in enumerate(demo_rivals)]
    own: list[BrandSpec] = [
        (10, "Cire & Coton", '("Cire & Coton" OR "Cire et Coton" OR @CireEtCoton) '
         "AND NOT (emploi OR stage OR recrutement)", ["CireEtCoton"]),
        (11, "Parfums d'Automne", '(bougie* OR diffuseur*) NEAR/3 ("Figue d\'Automne" OR '
         '"Cèdre Blanc" OR "Vanille Bourbon" OR "Poire Givrée")', []),
        (12, "Lueur Nordique", '("Lueur Nordique" OR #LueurNordique OR @LueurNordique) '
         "AND lang:fr", ["LueurNordique"]),
        (13, "Verre & Mèche", 'title:"Verre & Mèche" OR ("Verre et Mèche" AND (livraison OR '
         "colis* OR commande*)) OR (coffret* AND recharge* AND NOT lang:en)", []),
    ]
    defaults: list[BrandSpec] = [
        (20, "Bougies du Sud", None, ["BougiesDuSud"]),
        (21, "Maison Cire", None, []),
        (22, "Flamme Douce", None, ["FlammeDouce"]),
        (23, "Atelier Nord", None, []),
        (24, "Coton Blanc", None, ["CotonBlanc", "CotonBlancParis"]),
        (25, "Mèche d'Or", None, []),
        (26, "Parfum Maison", None, ["ParfumMaison"]),
        (27, "Lumière du Nord", None, []),
    ]
    return {"1 brand": [lumiere], "5 brands + competitors": [lumiere, *own, *rivals,
                                                             *defaults]}


def make_docs(n: int, seed: int) -> list[Doc]:
    """``n`` generated posts as enrichment docs, language set as if detected."""
    docs = []
    for post in iter_posts(n, seed=seed):
        doc = Doc(key=(post["platform"], post["platform_id"]), text=post["text"] or "",
                  platform=post["platform"], kind=post["kind"], title=post["title"],
                  language=post["language"], hashtags=list(post["hashtags"]),
                  mentions=list(post["mentions"]))
        doc.values["language"] = post["language"] or "unknown"
        docs.append(doc)
    return docs


def measure(name: str, brands: Sequence[BrandSpec], docs: list[Doc],
            repeat: int) -> dict[str, Any]:
    """Median posts/s of ``BrandMatcher.pipe`` with ``brands`` over ``docs``."""
    started = time.perf_counter()
    matcher = BrandMatcher(brands)
    compile_ms = (time.perf_counter() - started) * 1000
    speeds: list[float] = []
    matched = attachments = 0
    for attempt in range(repeat):
        started = time.perf_counter()
        for _ in matcher.pipe(docs, batch_size=BATCH):
            pass
        seconds = time.perf_counter() - started
        speeds.append(len(docs) / seconds)
        found = [doc.values["brand_matches"] for doc in docs]
        matched = sum(1 for names in found if names)
        attachments = sum(len(names) for names in found)
        print(f"{name} run {attempt + 1}/{repeat}: {speeds[-1]:,.0f} posts/s "
              f"({seconds:,.2f} s)", file=sys.stderr)
    median = statistics.median(speeds)
    return {"brands": name, "queries": len(matcher.queries), "posts": len(docs),
            "repeat": repeat, "posts_per_s": round(median),
            "seconds": round(len(docs) / median, 3), "runs": [round(v) for v in speeds],
            "compile_ms": round(compile_ms, 1), "posts_matched": matched,
            "attachments": attachments}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    started = time.perf_counter()
    docs = make_docs(args.posts, args.seed)
    print(f"Generated {len(docs):,} posts ({statistics.mean(len(d.text) for d in docs):,.0f} "
          f"characters on average) in {time.perf_counter() - started:,.1f} s", file=sys.stderr)
    results = [measure(name, brands, docs, args.repeat)
               for name, brands in brand_sets().items()]
    stamp = {"date": datetime.now(UTC).isoformat(timespec="seconds"),
             "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python "
                        f"{platform.python_version()}", "seed": args.seed}
    RESULTS.parent.mkdir(exist_ok=True)
    with RESULTS.open("a") as handle:
        for result in results:
            handle.write(json.dumps({**stamp, **result}) + "\n")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
