"""Brand queries from the command line: checked on add/update, matched on import, rematch."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.test_cli import X_PAGE, run, run_json


def test_add_and_update_refuse_an_invalid_query_with_its_position(sqlite_url: str,
                                                                  tmp_path: Path) -> None:
    run(["init"], sqlite_url, tmp_path)
    bad = run(["brand", "add", "Maison Lumière", "--query", '"Maison Lumière" AND'],
              sqlite_url, tmp_path, check=False)
    assert bad.returncode == 1 and "Error E401" in bad.stderr
    assert "column 21: expected a term after AND" in bad.stderr
    assert '  "Maison Lumière" AND\n                      ^' in bad.stderr
    as_json = run(["brand", "add", "Maison Lumière", "--query", "bougie -emploi", "--json"],
                  sqlite_url, tmp_path, check=False)
    error = json.loads(as_json.stdout)["error"]
    assert as_json.returncode == 1 and error["code"] == "E406"
    assert (error["details"]["line"], error["details"]["column"],
            error["details"]["length"]) == (1, 8, 7)
    assert run_json(["brand", "list"], sqlite_url, tmp_path)["brands"] == []

    run(["brand", "add", "Maison Lumière", "--query", "@MaisonLumiere"], sqlite_url, tmp_path)
    refused = run(["brand", "update", "Maison Lumière", "--query", "lang:français", "--json"],
                  sqlite_url, tmp_path, check=False)
    assert refused.returncode == 1
    assert json.loads(refused.stdout)["error"]["details"]["column"] == 6
    assert "Error E404" in refused.stderr and "^^^^^^^^" in refused.stderr
    listed = run_json(["brand", "list"], sqlite_url, tmp_path)["brands"]
    assert [b["query"] for b in listed] == ["@MaisonLumiere"]


def test_import_attaches_by_query_and_rematch_follows_a_new_query(database_url: str,
                                                                  tmp_path: Path) -> None:
    run(["init"], database_url, tmp_path)
    added = run(["brand", "add", "Maison Lumière", "--query", "@MaisonLumiere",
                 "--competitor", "Bougies Céleste"], database_url, tmp_path).stdout
    assert "Run `confiance brand rematch` to attach the posts already stored." in added
    run(["brand", "add", "Prix", "--query", "prix AND lang:fr"], database_url, tmp_path)
    imported = run_json(["import", str(X_PAGE)], database_url, tmp_path)
    components = imported["enrichment"]["components"]  # brands after language detection
    assert components.index("confiance.brands.v1") > components.index("confiance.language.v1")
    by_brand = run_json(["stats"], database_url, tmp_path)["by_brand"]
    assert by_brand == {"Bougies Céleste": 0, "Maison Lumière": 1, "Prix": 1}

    updated = run(["brand", "update", "Prix", "--query", "prix AND lang:en"], database_url,
                  tmp_path).stdout
    assert "Run `confiance brand rematch Prix` to re-match the posts already stored." in updated
    # The new query applies once rematch has run.
    assert run_json(["stats"], database_url, tmp_path)["by_brand"]["Prix"] == 1
    one = run_json(["brand", "rematch", "Prix"], database_url, tmp_path)
    assert one["posts"] == 3 and one["errors"] == 0
    assert one["brands"] == {"Prix": {"added": 0, "removed": 1}}
    assert run_json(["stats"], database_url, tmp_path)["by_brand"] == {
        "Bougies Céleste": 0, "Maison Lumière": 1, "Prix": 0}

    run(["brand", "update", "Maison Lumière", "--query", "prix OR qht"], database_url,
        tmp_path)
    every = run_json(["brand", "rematch"], database_url, tmp_path)
    assert every["brands"] == {"Bougies Céleste": {"added": 0, "removed": 0},
                               "Maison Lumière": {"added": 2, "removed": 1},
                               "Prix": {"added": 0, "removed": 0}}
    human = run(["brand", "rematch", "Maison Lumière"], database_url, tmp_path).stdout
    assert "Re-matched 3 posts against 1 brand(s)" in human and "Maison Lumière" in human
    missing = run(["brand", "rematch", "Inconnue"], database_url, tmp_path, check=False)
    assert missing.returncode == 1 and "E301" in missing.stderr


def test_posts_imported_with_a_brand_stay_attached_after_rematch(sqlite_url: str,
                                                                 tmp_path: Path) -> None:
    run(["init"], sqlite_url, tmp_path)
    run(["brand", "add", "Maison Lumière", "--query", "introuvable"], sqlite_url, tmp_path)
    run(["import", str(X_PAGE), "--brand", "Maison Lumière"], sqlite_url, tmp_path)
    assert run_json(["brand", "rematch"], sqlite_url, tmp_path)["brands"] == {
        "Maison Lumière": {"added": 0, "removed": 0}}
    assert run_json(["stats"], sqlite_url, tmp_path)["by_brand"] == {"Maison Lumière": 3}


def test_an_error_message_with_brackets_is_printed_as_written(sqlite_url: str,
                                                               tmp_path: Path) -> None:
    run(["init"], sqlite_url, tmp_path)
    bad = run(["brand", "add", "Promo", "--query", "[/promo] AND"], sqlite_url, tmp_path,
              check=False)
    assert bad.returncode == 1 and "Error E4" in bad.stderr
    assert "[/promo] AND" in bad.stderr and "MarkupError" not in bad.stderr
