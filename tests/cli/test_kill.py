"""An import killed with SIGKILL half-way leaves a consistent database; re-running completes it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import orjson
import sqlalchemy as sa

from confiance.store.tables import imports, posts

N = 60_000


def _write_posts(path: Path) -> None:
    with path.open("wb") as handle:
        for n in range(N):
            handle.write(orjson.dumps({
                "platform": "x", "platform_id": str(n), "text": f"bougie n°{n} 🕯️",
                "created_at": "2026-10-01T12:00:00Z",
                "author": {"platform": "x", "platform_id": f"u{n % 500}", "followers": n},
                "metrics": {"likes": n % 97}, "raw": {"id": str(n), "pad": "x" * 200},
            }) + b"\n")


def _wait_for_orphans(data: Path) -> None:
    """The importer's reader process notices its parent died and exits within a second."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        found = subprocess.run(["pgrep", "-f", f"confiance import {data}"], capture_output=True)
        if found.returncode != 0:
            return
        time.sleep(0.1)
    raise AssertionError("the reader process outlived its killed importer")


def _count(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(posts)).scalar_one())


def test_kill_9_mid_import_then_rerun(database_url: str, tmp_path: Path) -> None:
    data = tmp_path / "posts.ndjson"
    _write_posts(data)
    env = {**os.environ, "CONFIANCE_DATABASE_URL": database_url}
    cli = [sys.executable, "-m", "confiance"]
    subprocess.run([*cli, "init"], env=env, check=True, capture_output=True)
    engine = sa.create_engine(database_url)
    # --no-enrich: this is about the import's transactions; enrichment resumes on its own
    # (tests/cli/test_enrich_parallel.py kills an enrichment run)
    child = subprocess.Popen([*cli, "import", str(data), "--format", "ndjson",
                              "--batch-size", "500", "--no-enrich"], env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while _count(engine) < 2_000 and time.monotonic() < deadline:
        time.sleep(0.02)
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    _wait_for_orphans(data)
    partial = _count(engine)
    assert 0 < partial < N, "the import must be killed half-way"
    with engine.connect() as conn:
        run = conn.execute(sa.select(imports)).one()
    # every committed batch is whole: the run's counter matches the rows actually stored
    assert run.status == "running" and run.imported == partial and partial % 500 == 0
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar_one() == "ok"
    done = subprocess.run([*cli, "import", str(data), "--format", "ndjson", "--json",
                           "--no-enrich"],
                          env=env, check=True, capture_output=True, text=True)
    report = orjson.loads(done.stdout)
    assert (report["imported"], report["updated"]) == (N - partial, partial)
    assert _count(engine) == N
    with engine.connect() as conn:
        statuses = [row.status for row in conn.execute(
            sa.select(imports.c.status).order_by(imports.c.id))]
    assert statuses == ["interrupted", "completed"]
    listed = orjson.loads(subprocess.run([*cli, "imports", "--json"], env=env, check=True,
                                         capture_output=True).stdout)["imports"]
    assert [r["status"] for r in listed] == ["completed", "interrupted"]
    assert listed[0]["imported"] + listed[1]["imported"] == N
    engine.dispose()
