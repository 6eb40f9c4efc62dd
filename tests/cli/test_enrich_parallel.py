"""``confiance enrich --workers N`` and ``--ray``, run as a user runs them."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from confiance.demo import write_canonical_ndjson
from confiance.store.tables import enrichments
from tests.cli.test_cli import FIXTURES, run, run_json

REDDIT = FIXTURES / "reddit" / "new.json"


def _store(url: str, cwd: Path) -> int:
    """A database with the Reddit fixture imported and not enriched; how many posts."""
    run(["init"], url, cwd)
    run(["brand", "add", "Maison Lumière", "--hashtag", "#MaLumiereAMoi"], url, cwd)
    imported = run_json(["import", str(REDDIT), "--no-enrich"], url, cwd)["imported"]
    assert imported > 0
    return int(imported)


def test_workers_run_a_process_pool_and_the_json_says_so(sqlite_url: str,
                                                         tmp_path: Path) -> None:
    posts = _store(sqlite_url, tmp_path)
    done = run_json(["enrich", "--workers", "2", "--batch-size", "2"], sqlite_url, tmp_path)
    assert (done["enriched"], done["errors"]) == (posts, 0)
    assert (done["runner"], done["workers"]) == ("process-pool", 2)
    assert "confiance.brands.v1" in done["components"]
    again = run_json(["enrich"], sqlite_url, tmp_path)
    assert (again["enriched"], again["runner"], again["workers"]) == (0, "in-process", 1)
    human = run(["enrich", "--workers", "2"], sqlite_url, tmp_path).stdout
    assert "Enriched 0 posts" in human and "(process-pool, 2 workers)" in human


def test_ray_without_the_package_says_what_to_install(sqlite_url: str, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    _store(sqlite_url, tmp_path)
    blocker = tmp_path / "no-ray" / "ray"  # found first on the path: as if ray were missing
    blocker.mkdir(parents=True)
    (blocker / "__init__.py").write_text('raise ImportError("ray is not installed here")\n')
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(
        [str(blocker.parent), *filter(None, [os.environ.get("PYTHONPATH")])]))
    failed = run(["enrich", "--ray", "--json"], sqlite_url, tmp_path, check=False)
    assert failed.returncode == 1 and "E504" in failed.stderr
    assert "pip install 'confiance[ray]'" in failed.stderr
    assert json.loads(failed.stdout)["error"]["code"] == "E504"


@pytest.mark.slow
def test_ray_runs_local_actors_and_shuts_its_ray_down(sqlite_url: str, tmp_path: Path) -> None:
    pytest.importorskip("ray")
    posts = _store(sqlite_url, tmp_path)
    done = run_json(["enrich", "--ray", "--workers", "2", "--batch-size", "3"], sqlite_url,
                    tmp_path)
    assert (done["enriched"], done["runner"], done["workers"]) == (posts, "ray", 2)


@pytest.mark.slow
def test_an_unreachable_ray_cluster_is_reported(sqlite_url: str, tmp_path: Path) -> None:
    pytest.importorskip("ray")
    _store(sqlite_url, tmp_path)
    failed = run(["enrich", "--ray-address", "ray://127.0.0.1:1", "--json"], sqlite_url,
                 tmp_path, check=False)
    assert failed.returncode == 1 and "E506" in failed.stderr
    assert json.loads(failed.stdout)["error"]["details"]["address"] == "ray://127.0.0.1:1"


def _workers_of(pid: int) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
    return [int(line) for line in found.stdout.split()]


@pytest.mark.slow
def test_kill_9_mid_parallel_run_leaves_whole_batches_and_no_workers(
        sqlite_url: str, tmp_path: Path) -> None:
    data = tmp_path / "posts.ndjson"
    write_canonical_ndjson(data, n=1_500, seed=2)
    run(["init"], sqlite_url, tmp_path)
    run(["import", str(data), "--format", "ndjson", "--no-enrich"], sqlite_url, tmp_path)
    env = {**os.environ, "CONFIANCE_DATABASE_URL": sqlite_url}
    child = subprocess.Popen([sys.executable, "-m", "confiance", "enrich", "--workers", "2",
                              "--batch-size", "100"], env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    engine = sa.create_engine(sqlite_url)
    deadline = time.monotonic() + 300
    while _enriched(engine) < 100 and time.monotonic() < deadline:
        time.sleep(0.1)
    workers = _workers_of(child.pid)
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    done = _enriched(engine)
    assert 0 < done < 1_500 and done % 100 == 0, "committed batches must be whole"
    deadline = time.monotonic() + 15
    while any(Path(f"/proc/{pid}").exists() for pid in workers) and \
            time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(Path(f"/proc/{pid}").exists() for pid in workers), "orphaned workers"
    resumed = run_json(["enrich", "--workers", "2", "--batch-size", "100"], sqlite_url,
                       tmp_path)
    assert resumed["enriched"] == 1_500 - done and _enriched(engine) == 1_500
    engine.dispose()


def _enriched(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(enrichments))
                   .scalar_one())
