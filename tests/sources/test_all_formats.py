"""Properties every format must have: detection of its own fixtures, and no crash on any input.

Hypothesis feeds random bytes, truncated recorded payloads and random JSON to every registered
format: each must yield only ``Post`` or ``Rejected`` items (with a reason), never raise.
"""

from __future__ import annotations

import io
from pathlib import Path

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from confiance.core.plugins import plugin_manager
from confiance.domain import Post, Rejected
from confiance.sources.base import SourceFormat
from confiance.sources.registry import FormatRegistry

FIXTURES = Path(__file__).parent / "fixtures"
REGISTRY = FormatRegistry.from_plugins(plugin_manager(entry_points=False))
FORMATS = sorted(REGISTRY, key=lambda f: f.name)
SKIP_DETECTION = ("mapping", "undetectable")
"""Fixture files that are not data (mapping files) or that need --format by design."""


def _fixture_files() -> list[tuple[str, Path]]:
    found = []
    for folder in sorted(p for p in FIXTURES.iterdir() if p.is_dir()):
        for path in sorted(folder.iterdir()):
            found.append((folder.name, path))
    return found


FIXTURE_FILES = _fixture_files()


def _drain(fmt: SourceFormat, data: bytes) -> list[Post | Rejected]:
    items = list(fmt.read(io.BytesIO(data)))
    for item in items:
        assert isinstance(item, Post | Rejected)
        if isinstance(item, Rejected):
            assert item.reason and item.code.startswith("E")
            orjson.dumps(item.raw, default=repr)
    return items


def test_every_format_has_recorded_fixtures() -> None:
    folders = {name for name, _ in FIXTURE_FILES}
    missing = [f.name for f in FORMATS if f.name not in folders]
    assert not missing, f"add recorded payloads under tests/sources/fixtures/ for {missing}"


@pytest.mark.parametrize(("name", "path"), [
    (n, p) for n, p in FIXTURE_FILES if not any(s in p.name for s in SKIP_DETECTION)
], ids=lambda v: v if isinstance(v, str) else v.name)
def test_fixture_is_detected_as_its_own_format_only(name: str, path: Path) -> None:
    assert REGISTRY.detect(path).name == name
    sample = path.read_bytes()[: 64 * 1024]
    others = {f.name: f.sniff(sample) for f in FORMATS if f.name != name}
    assert max(others.values()) <= 0.5, f"{path.name} also looks like {others}"


@pytest.mark.parametrize(("name", "path"), [
    (n, p) for n, p in FIXTURE_FILES
    if not any(s in p.name for s in ("mapping", "broken", "invalid"))
], ids=lambda v: v if isinstance(v, str) else v.name)
def test_fixture_imports_without_rejections(name: str, path: Path) -> None:
    """Fixtures named *broken* or *invalid* hold deliberate rejections and are left out."""
    items = _drain(REGISTRY.get(name), path.read_bytes())
    rejected = [i for i in items if isinstance(i, Rejected)]
    assert items and not rejected, rejected[:3]


FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("fmt", FORMATS, ids=lambda f: f.name)
@FUZZ
@given(data=st.binary(max_size=2000))
def test_random_bytes_never_crash(fmt: SourceFormat, data: bytes) -> None:
    _drain(fmt, data)


@pytest.mark.parametrize(("name", "path"), [
    (n, p) for n, p in FIXTURE_FILES if "mapping" not in p.name
], ids=lambda v: v if isinstance(v, str) else v.name)
@FUZZ
@given(cut=st.floats(min_value=0.0, max_value=1.0), flip=st.integers(0, 255))
def test_truncated_or_corrupted_fixtures_never_crash(name: str, path: Path, cut: float,
                                                      flip: int) -> None:
    data = path.read_bytes()
    end = int(len(data) * cut)
    _drain(REGISTRY.get(name), data[:end])
    if data:
        corrupted = bytearray(data)
        corrupted[end % len(data)] = flip
        _drain(REGISTRY.get(name), bytes(corrupted))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=12), children, max_size=5),
    max_leaves=25,
)


@pytest.mark.parametrize("fmt", FORMATS, ids=lambda f: f.name)
@FUZZ
@given(payload=json_values)
def test_random_json_payloads_never_crash_parse(fmt: SourceFormat, payload: object) -> None:
    for item in fmt.parse(payload):
        assert isinstance(item, Post | Rejected)


@pytest.mark.parametrize(("name", "path"), [
    (n, p) for n, p in FIXTURE_FILES if p.suffix in {".json", ".jsonl"} and "mapping" not in p.name
], ids=lambda v: v if isinstance(v, str) else v.name)
@FUZZ
@given(data=st.data())
def test_fixture_with_fields_removed_or_retyped_never_crashes(name: str, path: Path,
                                                              data: st.DataObject) -> None:
    """Take a real payload, delete or replace one value anywhere in it, and parse."""
    first = path.read_bytes().split(b"\n", 1)[0]
    try:
        doc = orjson.loads(first)
    except orjson.JSONDecodeError:
        doc = orjson.loads(path.read_bytes())
    _mutate(doc, data)
    for item in REGISTRY.get(name).parse(doc):
        assert isinstance(item, Post | Rejected)


def _mutate(doc: object, data: st.DataObject) -> None:
    node = doc
    for _ in range(data.draw(st.integers(1, 6))):
        if isinstance(node, dict) and node:
            key = data.draw(st.sampled_from(sorted(node, key=str)))
            if data.draw(st.booleans()) or not isinstance(node[key], dict | list):
                if data.draw(st.booleans()):
                    del node[key]
                else:
                    node[key] = data.draw(json_values)
                return
            node = node[key]
        elif isinstance(node, list) and node:
            index = data.draw(st.integers(0, len(node) - 1))
            if not isinstance(node[index], dict | list):
                node[index] = data.draw(json_values)
                return
            node = node[index]
        else:
            return
