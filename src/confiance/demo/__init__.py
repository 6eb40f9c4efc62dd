"""Deterministic demo data: a fictional French candle brand, its competitors and 90 days of
bilingual talk about them on social networks, review sites and app stores.

``generate`` writes the demo data set; ``iter_posts`` and ``write_canonical_ndjson`` stream
any number of canonical posts quickly, for benchmarks. Every name, brand and person is
invented.
"""

from confiance.demo.fast import iter_posts, write_canonical_ndjson
from confiance.demo.generator import DEFAULT_END, build, generate
from confiance.demo.manifest import DemoManifest

__all__ = [
    "DEFAULT_END",
    "DemoManifest",
    "build",
    "generate",
    "iter_posts",
    "write_canonical_ndjson",
]
