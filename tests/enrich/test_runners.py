"""The pipeline in this process, in a process pool and on Ray: the same results, in order;
one writer, so an interrupted or crashed parallel run resumes like a serial one."""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import sqlalchemy as sa
from sqlalchemy import Engine

from confiance.core.errors import ConfianceError
from confiance.demo import iter_posts
from confiance.domain import Post
from confiance.enrich.component import Doc
from confiance.enrich.pipeline import PipelineSpec, enrich_store
from confiance.enrich.runners import (
    BatchResult,
    InProcessRunner,
    ProcessPoolRunner,
    RayRunner,
    Runner,
    runner_for,
)
from confiance.store import enrichments, ingest
from confiance.store.tables import enrichments as enrichments_table

SPEC = PipelineSpec(brand_names=("Maison Lumière",),
                    brands=((1, "Maison Lumière", None, ["MaLumiereAMoi"]),
                            (2, "Atelier Flamme", '"Atelier Flamme" OR flamme*', [])))
DOCS = 260
BATCH = 40


def _docs() -> list[Doc]:
    """Demo posts as docs; every 37th has a text no component can read and every 41st an
    unknown platform (the brand matcher fails on it): their errors must come back too."""
    docs = []
    for n, post in enumerate(iter_posts(DOCS, seed=11)):
        doc = Doc(key=(post["platform"], post["platform_id"]), text=post["text"] or "",
                  platform=post["platform"], kind=post["kind"], title=post["title"],
                  language=post["language"], hashtags=list(post["hashtags"]),
                  mentions=list(post["mentions"]))
        if n % 37 == 5:
            doc.text = 12345  # type: ignore[assignment]
        if n % 41 == 7:
            doc.platform = "myspace"
        docs.append(doc)
    return docs


def _batches(docs: list[Doc]) -> Iterator[list[Doc]]:
    for start in range(0, len(docs), BATCH):
        yield docs[start:start + BATCH]


def _outcome(results: list[BatchResult]) -> dict[str, Any]:
    docs = [doc for result in results for doc in result.docs]
    return {"sizes": [len(result.docs) for result in results],
            "keys": [doc.key for doc in docs],
            "values": [{k: v for k, v in doc.values.items() if k != "embedding"}
                       for doc in docs],
            "made_by": [doc.made_by for doc in docs],
            "errors": [result.errors for result in results],
            "embeddings": [doc.values.get("embedding") for doc in docs]}


def _run(runner: Runner) -> dict[str, Any]:
    return _outcome(list(runner.map(SPEC, _batches(_docs()))))


@pytest.fixture(scope="module")
def in_process() -> dict[str, Any]:
    """The reference: the default pipeline run here, batch after batch."""
    return _run(InProcessRunner())


@pytest.fixture(scope="module")
def ray_session() -> Iterator[Any]:
    """One local Ray (2 CPUs) for the module's Ray tests: runners use a Ray already started."""
    ray = pytest.importorskip("ray")
    ray.init(num_cpus=2, include_dashboard=False, logging_level="WARNING")
    yield ray
    ray.shutdown()


def _assert_same(found: dict[str, Any], expected: dict[str, Any]) -> None:
    for part in ("sizes", "keys", "values", "made_by", "errors"):
        assert found[part] == expected[part], part
    for ours, theirs in zip(found["embeddings"], expected["embeddings"], strict=True):
        assert (ours is None and theirs is None) or np.array_equal(ours, theirs)


def test_the_reference_run_has_component_errors_and_keeps_order(
        in_process: dict[str, Any]) -> None:
    assert in_process["keys"] == [doc.key for doc in _docs()]
    assert in_process["sizes"] == [BATCH] * (DOCS // BATCH) + [DOCS % BATCH]
    failed = {error.component for errors in in_process["errors"] for error in errors}
    assert {"confiance.brands.v1", "confiance.sentiment.v1"} <= failed
    assert sum(len(errors) for errors in in_process["errors"]) > 15
    assert sum("sentiment" in values for values in in_process["values"]) > 240


def test_a_process_pool_gives_the_same_results_in_order(in_process: dict[str, Any]) -> None:
    _assert_same(_run(ProcessPoolRunner(2, in_flight=3)), in_process)
    assert multiprocessing.active_children() == []


@pytest.mark.slow
def test_ray_actors_give_the_same_results_in_order(in_process: dict[str, Any],
                                                   ray_session: Any) -> None:
    _assert_same(_run(RayRunner(2)), in_process)
    assert ray_session.is_initialized(), "a Ray the runner did not start is left running"


def test_parallel_runners_take_a_recipe_not_a_built_pipeline() -> None:
    built = SPEC.build()
    with pytest.raises(TypeError, match="PipelineSpec"):
        next(ProcessPoolRunner(2).map(built, iter([[]])))
    assert list(InProcessRunner().map(built, iter([]))) == []


def _raises_the_workers_error(runner: Runner) -> None:
    broken = PipelineSpec(brands=((1, "Maison Lumière", "(bougie", []),))
    with pytest.raises(ConfianceError) as caught:
        list(runner.map(broken, iter([_docs()[:2]])))
    assert caught.value.code == "E407" and caught.value.details["name"] == "Maison Lumière"


def test_an_error_raised_in_a_pool_worker_reaches_the_caller_intact() -> None:
    _raises_the_workers_error(ProcessPoolRunner(1))


@pytest.mark.slow
def test_an_error_raised_in_a_ray_actor_reaches_the_caller_intact(ray_session: Any) -> None:
    _raises_the_workers_error(RayRunner(1))


def test_without_ray_installed_the_error_says_what_to_install(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # as if the package were not installed
    for make in (lambda: RayRunner(2), lambda: runner_for(2, ray=True),
                 lambda: runner_for(address="ray://head:10001")):
        with pytest.raises(ConfianceError) as caught:
            make()
        assert caught.value.code == "E504"
        assert "pip install 'confiance[ray]'" in caught.value.message


def test_runner_for_picks_what_the_options_say() -> None:
    assert isinstance(runner_for(), InProcessRunner)
    pool = runner_for(3)
    assert isinstance(pool, ProcessPoolRunner) and (pool.workers, pool.in_flight) == (3, 6)


# --- against a store --------------------------------------------------------------------------

POSTS = 240
STORE_BATCH = 30


class Interrupted(Exception):  # noqa: N818 - not an error: a stop
    """Stands for an interruption (Ctrl-C, a shutdown) after some batches."""


@pytest.fixture
def store_with_posts(sqlite_engine: Engine) -> Engine:
    """A SQLite store with 240 demo posts, none enriched."""
    posts = [Post.model_validate(item) for item in iter_posts(POSTS, seed=3)]
    ingest.ingest(sqlite_engine, posts, source="demo", format="canonical")
    return sqlite_engine


def _enriched(engine: Engine) -> dict[int, datetime]:
    with engine.connect() as conn:
        rows = conn.execute(sa.select(enrichments_table.c.post_id,
                                      enrichments_table.c.enriched_at)).all()
    return {int(row.post_id): row.enriched_at for row in rows}


def _first_ids(engine: Engine, count: int) -> list[int]:
    with engine.connect() as conn:
        return [int(i) for i in conn.execute(sa.text(
            "SELECT id FROM posts ORDER BY id LIMIT :n"), {"n": count}).scalars()]


def _stop_after(batches: int) -> Callable[[int], None]:
    def progress(done: int) -> None:
        if done >= batches * STORE_BATCH:
            raise Interrupted
    return progress


def test_an_interrupted_parallel_run_resumes_without_enriching_a_post_twice(
        store_with_posts: Engine) -> None:
    engine = store_with_posts
    with pytest.raises(Interrupted):
        enrich_store(engine, SPEC, batch_size=STORE_BATCH, runner=ProcessPoolRunner(2),
                     progress=_stop_after(3))
    assert multiprocessing.active_children() == [], "the pool must be shut down"
    first = _enriched(engine)
    assert sorted(first) == _first_ids(engine, 3 * STORE_BATCH)
    assert enrichments.count_pending(engine) == POSTS - 3 * STORE_BATCH
    resumed = enrich_store(engine, SPEC, batch_size=STORE_BATCH, runner=ProcessPoolRunner(2))
    assert (resumed.enriched, resumed.runner, resumed.workers) == (
        POSTS - 3 * STORE_BATCH, "process-pool", 2)
    after = _enriched(engine)
    assert len(after) == POSTS and enrichments.count_pending(engine) == 0
    assert {post_id: after[post_id] for post_id in first} == first, "rewritten on resume"
    assert enrich_store(engine, SPEC, runner=ProcessPoolRunner(2)).enriched == 0


def _assert_crash_kept_whole_batches(engine: Engine, caught: pytest.ExceptionInfo[Any]) -> None:
    assert caught.value.code == "E505"
    assert "run `confiance enrich` again" in caught.value.message
    done = _enriched(engine)
    assert 0 < len(done) < POSTS and len(done) % STORE_BATCH == 0
    assert sorted(done) == _first_ids(engine, len(done)), "committed out of order"
    assert enrichments.count_pending(engine) == POSTS - len(done)


def test_a_killed_pool_worker_gives_e505_and_committed_batches_stay(
        store_with_posts: Engine) -> None:
    def kill_a_worker(done: int) -> None:
        if done == STORE_BATCH:
            os.kill(multiprocessing.active_children()[0].pid, signal.SIGKILL)

    with pytest.raises(ConfianceError) as caught:
        enrich_store(store_with_posts, SPEC, batch_size=STORE_BATCH,
                     runner=ProcessPoolRunner(2), progress=kill_a_worker)
    _assert_crash_kept_whole_batches(store_with_posts, caught)
    assert multiprocessing.active_children() == []


def _descendants(root: int) -> list[int]:
    """Processes below ``root`` (Ray's raylet and its workers, for a local Ray)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _pipeline_actors() -> list[int]:
    actors = []
    for pid in _descendants(os.getpid()):
        try:
            if Path(f"/proc/{pid}/cmdline").read_bytes().startswith(b"ray::PipelineActor"):
                actors.append(pid)
        except OSError:
            continue
    return actors


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc").is_dir(), reason="finds Ray's actors through /proc")
def test_a_dead_ray_actor_gives_e505_and_committed_batches_stay(
        store_with_posts: Engine, ray_session: Any) -> None:
    def kill_an_actor(done: int) -> None:
        if done == STORE_BATCH:
            os.kill(_pipeline_actors()[0], signal.SIGKILL)

    with pytest.raises(ConfianceError) as caught:
        enrich_store(store_with_posts, SPEC, batch_size=STORE_BATCH, runner=RayRunner(2),
                     progress=kill_an_actor)
    _assert_crash_kept_whole_batches(store_with_posts, caught)
    resumed = enrich_store(store_with_posts, SPEC, batch_size=STORE_BATCH, runner=RayRunner(2))
    assert resumed.runner == "ray" and enrichments.count_pending(store_with_posts) == 0
    assert len(_enriched(store_with_posts)) == POSTS


def test_the_summary_says_which_runner_ran(store_with_posts: Engine) -> None:
    since = datetime(2100, 1, 1, tzinfo=UTC)  # nothing to do: no worker work needed
    summary = enrich_store(store_with_posts, SPEC, since=since, runner=ProcessPoolRunner(3))
    assert summary.as_dict()["runner"] == "process-pool" and summary.as_dict()["workers"] == 3
    assert summary.as_dict()["components"][2] == "confiance.brands.v1"
