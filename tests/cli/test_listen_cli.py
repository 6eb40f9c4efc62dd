"""``confiance source`` and ``confiance listen``, as an administrator runs them."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.cli.test_cli import run, run_json
from tests.conftest import FIXTURES


def test_sources_are_added_listed_paused_rotated_and_removed(database_url: str,
                                                             tmp_path: Path) -> None:
    run(["init"], database_url, tmp_path)
    run(["brand", "add", "Maison Lumière"], database_url, tmp_path)
    added = json.loads(run(["source", "add", "Avis boutique", "--brand", "Maison Lumière",
                            "--push", "--format", "ndjson", "--json"],
                           database_url, tmp_path).stdout)
    assert added["mode"] == "push" and len(added["push_secret"]) > 30
    listed = run(["source", "list", "--json"], database_url, tmp_path).stdout
    assert added["push_secret"] not in listed
    assert [s["name"] for s in json.loads(listed)] == ["Avis boutique"]
    rotated = run_json(["source", "rotate-secret", "Avis boutique", "--brand",
                        "Maison Lumière"], database_url, tmp_path)
    assert rotated["push_secret"] != added["push_secret"]
    run(["source", "pause", "Avis boutique", "--brand", "Maison Lumière"], database_url,
        tmp_path)
    table = run(["source", "list"], database_url, tmp_path).stdout
    assert "paused" in table
    taken = run(["source", "add", "Avis boutique", "--brand", "Maison Lumière", "--push",
                 "--format", "ndjson"], database_url, tmp_path, check=False)
    assert taken.returncode == 1 and "E741" in taken.stderr + taken.stdout
    bad = run(["source", "add", "X", "--brand", "Maison Lumière", "--format", "mastodon",
               "--secret", "TOKEN"], database_url, tmp_path, check=False)
    assert bad.returncode == 1 and "E742" in bad.stderr + bad.stdout
    run(["source", "remove", "Avis boutique", "--brand", "Maison Lumière"], database_url,
        tmp_path)
    assert run_json(["source", "list"], database_url, tmp_path) == []


@pytest.fixture
def feed_server() -> Iterator[str]:
    """A real HTTP server on loopback serving the recorded RSS fixtures."""
    handler = partial(SimpleHTTPRequestHandler, directory=str(FIXTURES / "rss"))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_listen_once_polls_a_real_feed_over_http(database_url: str, tmp_path: Path,
                                                 feed_server: str) -> None:
    run(["init"], database_url, tmp_path)
    run(["brand", "add", "Maison Lumière"], database_url, tmp_path)
    config = json.dumps({"url": f"{feed_server}/deco_et_sens.xml"})
    run(["source", "add", "Déco et sens", "--brand", "Maison Lumière", "--format", "rss",
         "--config", config], database_url, tmp_path)
    first = run_json(["listen", "--once"], database_url, tmp_path)
    assert first["polled"] == 1 and first["poll_failures"] == 0
    assert first["collected"] > 0
    assert first["enriched"] == first["collected"] == first["observed"]
    [source] = run_json(["source", "list"], database_url, tmp_path)
    assert source["health"] == "ok" and source["posts"] == first["collected"]
    assert source["cursor"]  # the validators of a conditional GET
