"""`confiance sentiment` and `confiance analyze` from the command line."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from tests.cli.test_cli import X_PAGE, run, run_json

POST = "x:1861234567890123456"  # "… sent trop bon 😍": positive for the shipped model


def test_correct_list_and_retrain_refuses_too_few(sqlite_url: str, tmp_path: Path) -> None:
    run(["init"], sqlite_url, tmp_path)
    run(["brand", "add", "Maison Lumière"], sqlite_url, tmp_path)
    run(["import", str(X_PAGE), "--brand", "Maison Lumière"], sqlite_url, tmp_path)
    fixed = run_json(["sentiment", "correct", POST, "NEGATIVE", "--by", "camille"],
                     sqlite_url, tmp_path)
    assert (fixed["label"], fixed["previous"], fixed["brand"]) == (
        "negative", "positive", "Maison Lumière")
    listed = run_json(["sentiment", "corrections", "--brand", "Maison Lumière"],
                      sqlite_url, tmp_path)["corrections"]
    assert [(c["post"], c["corrected_by"]) for c in listed] == [(POST, "camille")]
    shown = run(["sentiment", "corrections"], sqlite_url, tmp_path).stdout
    assert "camille" in shown and "negative" in shown

    refused = run(["sentiment", "retrain", "--brand", "Maison Lumière"], sqlite_url, tmp_path,
                  check=False)
    assert refused.returncode == 1 and "E511" in refused.stderr
    assert "at least 5" in " ".join(refused.stderr.split())
    bad = run(["sentiment", "correct", "x:404", "positive", "--json"], sqlite_url, tmp_path,
              check=False)
    assert bad.returncode == 1 and json.loads(bad.stdout)["error"]["code"] == "E512"
    models = run_json(["sentiment", "models"], sqlite_url, tmp_path)
    assert models == {"default": "confiance.sentiment.v1", "models": []}


def test_review_lists_the_least_certain_labels_first(sqlite_url: str, tmp_path: Path) -> None:
    run(["init"], sqlite_url, tmp_path)
    run(["brand", "add", "Maison Lumière"], sqlite_url, tmp_path)
    run(["import", str(X_PAGE), "--brand", "Maison Lumière"], sqlite_url, tmp_path)
    listed = run_json(["sentiment", "review", "--brand", "Maison Lumière"],
                      sqlite_url, tmp_path)["posts"]
    confidences = [p["confidence"] for p in listed]
    assert len(listed) >= 2 and all(1 / 3 <= c <= 1 for c in confidences)
    assert confidences == sorted(confidences)
    # a corrected post is certain: it goes to the end of the list
    first = listed[0]["post"]
    run(["sentiment", "correct", first, "neutral"], sqlite_url, tmp_path)
    again = run_json(["sentiment", "review", "--brand", "Maison Lumière"],
                     sqlite_url, tmp_path)["posts"]
    assert again[-1]["post"] == first and again[-1]["confidence"] == 1.0
    shown = run(["sentiment", "review", "--brand", "Maison Lumière", "--limit", "1"],
                sqlite_url, tmp_path).stdout
    assert again[0]["post"] in shown and "%" in shown
    assert "confiance sentiment correct POST LABEL" in shown
    missing = run(["sentiment", "review", "--brand", "Nobody"], sqlite_url, tmp_path,
                  check=False)
    assert missing.returncode == 1


def test_retrain_learns_from_corrections_held_by_the_brands_other_posts(
        sqlite_url: str, tmp_path: Path) -> None:
    texts = ["La bougie sent bon, livraison rapide", "Colis arrivé cassé, très déçue",
             "Vous livrez en Belgique ?", "Super diffuseur, je recommande",
             "Service client injoignable depuis une semaine", "Commande reçue hier",
             "Le parfum tient toute la soirée", "Trop cher pour ce que c'est",
             "Magnifique coffret cadeau", "Ma commande n'est jamais arrivée",
             "Quels sont vos horaires ?", "Je rachèterai sans hésiter"]
    stream = tmp_path / "posts.ndjson"
    stream.write_text("".join(json.dumps({
        "platform": "x", "platform_id": f"p{i}", "text": text, "language": "fr",
        "created_at": f"2026-10-{i + 1:02d}T10:00:00+00:00"}) + "\n"
        for i, text in enumerate(texts)), encoding="utf-8")
    run(["init"], sqlite_url, tmp_path)
    run(["brand", "add", "Maison Lumière"], sqlite_url, tmp_path)
    run(["import", str(stream), "--format", "ndjson", "--brand", "Maison Lumière"],
        sqlite_url, tmp_path)
    posts = run_json(["sentiment", "review", "--brand", "Maison Lumière", "--limit", "500"],
                     sqlite_url, tmp_path)["posts"]
    assert len(posts) == len(texts)
    fixed = posts[:5]
    for post in fixed:
        other = "negative" if post["sentiment"] != "negative" else "positive"
        run(["sentiment", "correct", post["post"], other], sqlite_url, tmp_path)
    report = run_json(["sentiment", "retrain", "--brand", "Maison Lumière", "--force"],
                      sqlite_url, tmp_path)
    assert report["corrections"] == 5 and report["method"] == "5-fold cross-validation"
    assert report["active"] and report["anchors"] == len(posts) - 5
    assert 0 <= report["anchors_changed"] <= 1
    models = run_json(["sentiment", "models"], sqlite_url, tmp_path)["models"]
    assert [(m["revision"], m["active"]) for m in models] == [(1, True)]
    shown = run(["sentiment", "retrain", "--brand", "Maison Lumière"], sqlite_url,
                tmp_path).stdout
    flat = " ".join(shown.split())
    assert f"held in place by {len(posts) - 5} of the brand's posts" in flat
    # enriching everything again (after a model change) keeps what analysts corrected
    again = run_json(["enrich", "--again"], sqlite_url, tmp_path)
    assert again["enriched"] == len(texts) and "enriched_before" in again
    after = {p["post"]: p for p in run_json(
        ["sentiment", "review", "--brand", "Maison Lumière", "--limit", "500"],
        sqlite_url, tmp_path)["posts"]}
    for post in fixed:
        assert after[post["post"]]["confidence"] == 1.0
        assert after[post["post"]]["sentiment"] != post["sentiment"]  # still the correction
    assert run_json(["enrich", "--again"], sqlite_url, tmp_path)["enriched"] == len(texts)
    assert run_json(["enrich"], sqlite_url, tmp_path)["enriched"] == 0
    assert "before is 0 because every held-out correction is a label the model had wrong" \
        in flat  # only errors were corrected


def test_analyze_writes_input_columns_plus_results(tmp_path: Path) -> None:
    source = tmp_path / "avis.csv"
    source.write_text(
        'id;avis;sentiment\n'
        '1;"Service client injoignable depuis trois semaines, honteux, je résilie.";neg\n'
        '2;"Super bougie, je recommande à 100% ! Écrivez-moi : lea@example.org";pos\n'
        '3;;\n', encoding="utf-8")
    out = tmp_path / "out" / "avis-enrichis.csv"
    summary = run_json(["analyze", str(source), "--text-column", "avis", "--output", str(out),
                        "--query", "bougie"], "sqlite:///unused.db", tmp_path)
    assert summary["rows"] == 3 and summary["errors"] == 0
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["id", "avis", "sentiment", "lang", "confiance_sentiment",
                             "sentiment_score", "topics", "toxicity", "flags", "intent",
                             "brand_matches"]
    assert [r["sentiment"] for r in rows] == ["neg", "pos", ""]  # the input column is kept
    assert [r["confiance_sentiment"] for r in rows[:2]] == ["negative", "positive"]
    assert rows[0]["lang"] == "fr" and rows[0]["intent"] == "complaint"
    assert "customer_service" in rows[0]["topics"].split("|")
    assert rows[1]["flags"] == "pii_email" and rows[1]["brand_matches"] == "query"
    assert (rows[2]["confiance_sentiment"], rows[2]["sentiment_score"]) == ("neutral", "0")
    assert not (tmp_path / "out" / ".avis-enrichis.csv.partial").exists()


def test_analyze_errors_say_what_to_do(tmp_path: Path) -> None:
    source = tmp_path / "a.csv"
    source.write_text("id,texte\n1,bonjour\n", encoding="utf-8")
    missing = run(["analyze", str(source), "--json"], "sqlite:///unused.db", tmp_path,
                  check=False)
    error = json.loads(missing.stdout)["error"]
    assert missing.returncode == 1 and error["code"] == "E514"
    assert "the columns are id, texte" in error["message"]
    assert not (tmp_path / "a.enriched.csv").exists()
    latin = tmp_path / "latin.csv"
    latin.write_bytes("text\ndéçue\n".encode("latin-1"))
    wrong = run(["analyze", str(latin)], "sqlite:///unused.db", tmp_path, check=False)
    assert wrong.returncode == 1 and "UTF-8" in wrong.stderr
    nowhere = run(["analyze", str(tmp_path / "nope.csv")], "sqlite:///unused.db", tmp_path,
                  check=False)
    assert nowhere.returncode == 1 and "E206" in nowhere.stderr
