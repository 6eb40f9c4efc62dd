"""Deterministic demo data: a fictional French candle brand, its competitors and 90 days of
bilingual talk about them on social networks, review sites and app stores.

``generate`` writes the demo data set; ``iter_posts`` and ``write_canonical_ndjson`` stream
any number of canonical posts quickly, for benchmarks; ``generate_scenario`` writes labelled
crisis scenarios (``SCENARIOS``) in the same world as one replay stream, and ``write_stream``
the demo itself as such a stream. Every name, brand and person is invented.
"""

from confiance.demo.fast import iter_posts, write_canonical_ndjson
from confiance.demo.generator import DEFAULT_END, build, generate
from confiance.demo.manifest import DemoManifest
from confiance.demo.scenarios import (
    SCENARIOS,
    Scenario,
    ScenarioManifest,
    generate_scenario,
    write_stream,
)

__all__ = [
    "DEFAULT_END",
    "SCENARIOS",
    "DemoManifest",
    "Scenario",
    "ScenarioManifest",
    "build",
    "generate",
    "generate_scenario",
    "iter_posts",
    "write_canonical_ndjson",
    "write_stream",
]
