"""The command line, run as a user runs it: a real process, a real database file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parents[1] / "sources" / "fixtures"
X_PAGE = FIXTURES / "x-v2" / "search_recent.json"


def run(args: list[str], database_url: str, cwd: Path, *, check: bool = True,
        stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CONFIANCE_DATABASE_URL": database_url, "COLUMNS": "200"}
    result = subprocess.run([sys.executable, "-m", "confiance", *args], cwd=cwd, env=env,
                            capture_output=True, text=True, input=stdin, timeout=120)
    if check and result.returncode != 0:
        raise AssertionError(f"exit {result.returncode}\n{result.stdout}\n{result.stderr}")
    return result


def run_json(args: list[str], database_url: str, cwd: Path) -> dict:
    return json.loads(run([*args, "--json"], database_url, cwd).stdout)


def test_init_import_stats_round_trip(database_url: str, tmp_path: Path) -> None:
    assert run_json(["init"], database_url, tmp_path)["revision"]
    run(["brand", "add", "Maison Lumière", "--query", '"Maison Lumière"', "--hashtag",
         "#MaLumiereAMoi", "--competitor", "Atelier Flamme"], database_url, tmp_path)
    first = run_json(["import", str(X_PAGE), "--format", "auto", "--brand", "Maison Lumière"],
                     database_url, tmp_path)
    assert (first["imported"], first["updated"], first["quarantined"]) == (3, 0, 0)
    assert first["format"] == "x-v2"
    again = run_json(["import", str(X_PAGE), "--format", "x-v2"], database_url, tmp_path)
    assert (again["imported"], again["updated"]) == (0, 3)
    stats = run_json(["stats"], database_url, tmp_path)
    assert stats["posts"] == 3 and stats["authors"] == 3
    assert stats["by_platform"] == {"x": 3} and stats["by_language"]["fr"] == 2
    brands = run_json(["brand", "list"], database_url, tmp_path)["brands"]
    assert {b["name"]: b["competitor_of"] for b in brands} == {
        "Atelier Flamme": "Maison Lumière", "Maison Lumière": None}
    assert brands[1]["hashtags"] == ["MaLumiereAMoi"]
    updated = run_json(["brand", "update", "Maison Lumière", "--competitor", "Bougies Céleste",
                        "--query", "@MaisonLumiere"], database_url, tmp_path)
    assert updated["query"] == "@MaisonLumiere"
    assert updated["competitors"] == ["Atelier Flamme", "Bougies Céleste"]
    duplicate = run(["brand", "add", "Maison Lumière"], database_url, tmp_path, check=False)
    assert duplicate.returncode == 1 and "E302" in duplicate.stderr
    text = run(["stats"], database_url, tmp_path).stdout
    assert "3 posts by 3 authors" in text and "lea_dcr" in text


def test_broken_items_are_listed_in_quarantine(sqlite_url: str, tmp_path: Path) -> None:
    page = json.loads(X_PAGE.read_text())
    del page["data"][0]["id"]
    bad = tmp_path / "broken.jsonl"
    bad.write_text(json.dumps(page) + "\n{not json\n")
    run(["init"], sqlite_url, tmp_path)
    result = run_json(["import", str(bad), "--format", "x-v2"], sqlite_url, tmp_path)
    assert (result["imported"], result["quarantined"]) == (2, 2)
    listed = run_json(["quarantine", "list"], sqlite_url, tmp_path)
    positions = sorted(row["position"] for row in listed["quarantined"])
    assert positions == ["line 1", "line 2"] and listed["count"] == 2
    assert {row["code"] for row in listed["quarantined"]} == {"E201", "E204"}
    human = run(["quarantine", "list"], sqlite_url, tmp_path).stdout
    assert "missing required field 'id'" in human


@pytest.mark.parametrize(("args", "code"), [
    (["import", "nowhere.json"], "E206"),
    (["import", str(X_PAGE), "--format", "myspace"], "E207"),
    (["import", str(X_PAGE), "--brand", "Inconnue"], "E301"),
])
def test_errors_carry_a_code_and_say_what_to_do(args: list[str], code: str, sqlite_url: str,
                                                tmp_path: Path) -> None:
    run(["init"], sqlite_url, tmp_path)
    result = run([*args, "--json"], sqlite_url, tmp_path, check=False)
    assert result.returncode == 1
    assert json.loads(result.stdout)["error"]["code"] == code
    assert f"Error {code}" in result.stderr


def test_commands_refuse_an_uninitialised_database(sqlite_url: str, tmp_path: Path) -> None:
    result = run(["stats"], sqlite_url, tmp_path, check=False)
    assert result.returncode == 1 and "E102" in result.stderr and "confiance init" in result.stderr


def test_undetectable_file_asks_for_a_format(sqlite_url: str, tmp_path: Path) -> None:
    mystery = tmp_path / "mystery.txt"
    mystery.write_text("bonjour\n")
    run(["init"], sqlite_url, tmp_path)
    result = run(["import", str(mystery)], sqlite_url, tmp_path, check=False)
    assert result.returncode == 1 and "E208" in result.stderr and "--format" in result.stderr


def test_production_refuses_the_default_secret(sqlite_url: str, tmp_path: Path) -> None:
    env_backup = os.environ.get("CONFIANCE_ENV")
    os.environ["CONFIANCE_ENV"] = "production"
    try:
        result = run(["init"], sqlite_url, tmp_path, check=False)
    finally:
        if env_backup is None:
            del os.environ["CONFIANCE_ENV"]
        else:
            os.environ["CONFIANCE_ENV"] = env_backup
    assert result.returncode == 1 and "E103" in result.stderr


def test_formats_lists_every_builtin(sqlite_url: str, tmp_path: Path) -> None:
    names = {f["name"] for f in run_json(["formats"], sqlite_url, tmp_path)["formats"]}
    assert {"x-v2", "instagram-graph", "facebook-graph", "youtube-comments", "reddit",
            "mastodon", "bluesky", "tiktok-research", "trustpilot", "google-reviews",
            "appstore-csv", "googleplay-csv", "rss", "atom", "csv", "ndjson"} <= names


def test_an_unreachable_database_is_reported_without_its_password(tmp_path: Path) -> None:
    url = "postgresql+psycopg://confiance:s3cr3t@127.0.0.1:1/nowhere"
    result = run(["init"], url, tmp_path, check=False)
    assert result.returncode == 1 and "E101" in result.stderr
    assert "s3cr3t" not in result.stderr + result.stdout


def test_demo_generates_imports_and_is_idempotent(sqlite_url: str, tmp_path: Path) -> None:
    args = ["demo", "--posts", "400", "--out", str(tmp_path / "demo"), "--json"]
    first = json.loads(run(args, sqlite_url, tmp_path).stdout)
    assert first["posts"] == 400 and first["quarantined"] == 0
    assert sum(i["imported"] for i in first["imports"]) == 400
    assert set(first["by_brand"]) == {"Maison Lumière", "Bougies Céleste", "Atelier Flamme"}
    assert first["by_language"]["fr"] > first["by_language"].get("en", 0)
    again = json.loads(run(args, sqlite_url, tmp_path).stdout)
    assert again["posts"] == 400
    assert [i["imported"] for i in again["imports"]] == [0, 0]
    brands = run_json(["brand", "list"], sqlite_url, tmp_path)["brands"]
    assert {b["name"]: b["competitor_of"] for b in brands}["Atelier Flamme"] == "Maison Lumière"
    human = run(["demo", "--posts", "400", "--out", str(tmp_path / "demo")], sqlite_url,
                tmp_path).stdout
    assert "Generated the demo data set (seed 7)" in human and "Posts by platform" in human


def test_import_enriches_by_default_and_enrich_resumes(sqlite_url: str, tmp_path: Path) -> None:
    run(["init"], sqlite_url, tmp_path)
    first = run_json(["import", str(X_PAGE)], sqlite_url, tmp_path)
    assert first["enrichment"]["enriched"] == 3
    assert first["enrichment"]["components"] == [
        "confiance.language.v1", "confiance.embedding.usem3.v1", "confiance.sentiment.v1",
        "confiance.aspects.v1", "confiance.moderation.v1", "confiance.intent.v1"]
    reddit = FIXTURES / "reddit" / "new.json"
    skipped = run_json(["import", str(reddit), "--no-enrich"], sqlite_url, tmp_path)
    assert "enrichment" not in skipped and skipped["imported"] > 0
    later = run_json(["enrich"], sqlite_url, tmp_path)
    assert later["enriched"] == skipped["imported"] and later["errors"] == 0
    assert run_json(["enrich"], sqlite_url, tmp_path)["enriched"] == 0
    human = run(["enrich", "--since", "2026-01-01"], sqlite_url, tmp_path).stdout
    assert "Enriched 0 posts" in human
