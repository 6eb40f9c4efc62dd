"""``confiance sentiment``: correct labels, retrain a brand's head, list heads."""

from __future__ import annotations

from contextlib import nullcontext
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from sqlalchemy import func, select

from confiance.cli.context import app_context
from confiance.cli.output import console, number, print_json, rows_table
from confiance.enrich.sentiment import SentimentClassifier, SentimentModel
from confiance.enrich.sentiment_train import retrain as train_head
from confiance.store import brands, corrections
from confiance.store.mention_records import Filters, Sort
from confiance.store.mentions import list_mentions
from confiance.store.tables import brand_posts

sentiment_app = typer.Typer(help="Correct sentiment labels and retrain a brand's model.",
                            no_args_is_help=True)
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")]
BrandOpt = Annotated[str | None, typer.Option(help="The brand (default: the post's only brand).")]


def register(app: typer.Typer) -> None:
    """Add ``sentiment`` to ``app``."""
    app.add_typer(sentiment_app, name="sentiment")


@sentiment_app.command("correct", epilog="""\b
Examples:
  confiance sentiment correct x:1712345678 negative
  confiance sentiment correct 4182 positive --brand "Maison Lumière" --by camille
""")
def correct(
    ctx: typer.Context,
    post: Annotated[str, typer.Argument(help="PLATFORM:ID (x:1712345678) or the numeric id.")],
    label: Annotated[str, typer.Argument(help="positive, neutral or negative.")],
    brand: BrandOpt = None,
    by: Annotated[str | None, typer.Option(help="Who corrects (kept with the correction).")]
    = None,
    json_output: JsonOpt = False,
) -> None:
    """Mark the right sentiment of a post: stored at once, and learnt at the next retrain."""
    engine = app_context(ctx).ready_engine()
    brand_id = brands.resolve(engine, brand) if brand else None
    found = corrections.correct(engine, post, label.lower(), brand_id=brand_id, corrected_by=by)
    if json_output:
        print_json(found.as_dict())
        return
    was = f" (was {found.previous})" if found.previous else ""
    scope = f" for {escape(found.brand)}" if found.brand else ""
    console().print(f"Post {found.post} is now {found.label}{was}{scope}.")
    if found.brand is None:
        console().print("It belongs to no single brand: name one with --brand so a brand "
                        "retrain can learn from it.")


@sentiment_app.command("corrections")
def list_corrections(
    ctx: typer.Context,
    brand: Annotated[str | None, typer.Option(help="Only this brand's corrections.")] = None,
    limit: Annotated[int, typer.Option(min=1, help="At most this many, newest first.")] = 50,
    json_output: JsonOpt = False,
) -> None:
    """List sentiment corrections, newest first."""
    engine = app_context(ctx).ready_engine()
    brand_id = brands.resolve(engine, brand) if brand else None
    found = corrections.list_corrections(engine, brand_id=brand_id, limit=limit)
    if json_output:
        print_json({"corrections": [c.as_dict() for c in found]})
        return
    rows = [{**c.as_dict(), "text": c.text[:60]} for c in found]
    console().print(rows_table("Sentiment corrections", rows,
                               ["post", "brand", "previous", "label", "corrected_by", "text"]))


@sentiment_app.command("review", epilog="""\b
Example:
  confiance sentiment review --brand "Maison Lumière" --limit 20
  confiance sentiment correct x:1712345678 negative   # then correct what is wrong
""")
def review(
    ctx: typer.Context,
    brand: Annotated[str, typer.Option(help="The brand whose posts to review.")],
    limit: Annotated[int, typer.Option(min=1, max=500, help="At most this many posts.")] = 20,
    json_output: JsonOpt = False,
) -> None:
    """List the brand's posts whose sentiment the model was least sure of, least sure first:
    where its wrong labels are (1.5 to 4 times as many per post read as in any other order).
    Corrected posts come last."""
    engine = app_context(ctx).ready_engine()
    brand_id = brands.resolve(engine, brand)
    with engine.connect() as conn:
        page = list_mentions(conn, Filters((brand_id,)), sort=Sort.LEAST_CERTAIN, limit=limit)
    rows: list[dict[str, Any]] = [
        {"post": f"{m.platform}:{m.platform_id}", "id": m.id,
         "sentiment": m.enrichment.sentiment if m.enrichment else None,
         "confidence": m.enrichment.sentiment_confidence if m.enrichment else None,
         "text": " ".join(filter(None, (m.title, m.text)))} for m in page.items]
    if json_output:
        print_json({"brand": brand, "posts": rows})
        return
    shown = [{**row, "text": row["text"][:60], "confidence": None if row["confidence"] is None
              else f"{row['confidence']:.0%}"} for row in rows]
    console().print(rows_table("Least certain sentiment first", shown,
                               ["post", "sentiment", "confidence", "text"]))
    if rows:
        console().print("Correct a label with: confiance sentiment correct POST LABEL")


@sentiment_app.command("retrain", epilog="""\b
Example:
  confiance sentiment retrain --brand "Maison Lumière"
""")
def retrain(
    ctx: typer.Context,
    brand: Annotated[str, typer.Option(help="The brand whose corrections to learn.")],
    force: Annotated[bool, typer.Option(
        help="Use the new head even if it is less accurate on held-out corrections.")] = False,
    rescore: Annotated[bool, typer.Option(
        help="Score the brand's stored posts again with the new head.")] = True,
    json_output: JsonOpt = False,
) -> None:
    """Retrain the brand's sentiment head from its corrections; report accuracy before/after.

    The brand's latest posts that no analyst corrected keep their current labels in the fit
    (anchors), so the head changes where analysts corrected it, not everywhere. "Before" is
    the shipped model, "after" the new head, both on corrections the new head did not learn
    from. The new head is used only if it is at least as accurate (or with
    --force); the brand's stored posts are then scored again.
    """
    engine = app_context(ctx).ready_engine()
    brand_id = brands.resolve(engine, brand)
    examples = corrections.examples(engine, brand_id)
    anchors = corrections.anchors(engine, brand_id)
    current = corrections.active_models(engine).get(brand) or SentimentModel.default()
    out = console()
    with out.status(f"Training on {number(len(examples))} corrections, "
                    f"{number(len(anchors))} of the brand's posts and the shipped texts…",
                    spinner="dots") if not json_output and out.is_terminal else nullcontext():
        report = train_head(brand, examples, base=SentimentModel.default(),
                            revision=corrections.next_revision(engine, brand_id),
                            anchors=anchors)
    use = report.improved or force
    corrections.save_model(engine, brand_id, report.model, active=use)
    rescored = _rescore(engine, brand_id, brand, report.model, show=not json_output) \
        if use and rescore else 0
    result: dict[str, Any] = {**report.as_dict(), "active": use, "rescored": rescored,
                              "previous_model": current.name}
    if json_output:
        print_json(result)
        return
    before, after = report.before, report.after
    out.print(f"{escape(brand)}: {report.corrections} corrections; measured on "
              f"{report.held_out} held out ({report.method}).")
    out.print(f"  accuracy before {before['accuracy']:.2f} (macro-F1 {before['macro_f1']:.2f}) "
              f"-> after {after['accuracy']:.2f} (macro-F1 {after['macro_f1']:.2f})")
    if before["accuracy"] == 0:
        out.print("  (before is 0 because every held-out correction is a label the model had "
                  "wrong; confirming right labels too, by giving a post its current label, "
                  "lets this check see both kinds)")
    if report.anchors_changed is not None:
        out.print(f"  held in place by {number(report.anchors)} of the brand's posts that no "
                  f"analyst corrected; the new head changes {report.anchors_changed:.1%} of "
                  "their labels")
    if use:
        out.print(f"Now using {report.model.name}; {number(rescored)} stored posts rescored.")
    else:
        out.print("The new head is less accurate on held-out corrections: kept the current "
                  "model (stored as an inactive revision; --force uses it anyway).")


@sentiment_app.command("models")
def list_models(
    ctx: typer.Context,
    brand: Annotated[str | None, typer.Option(help="Only this brand's heads.")] = None,
    json_output: JsonOpt = False,
) -> None:
    """List the brands' retrained sentiment heads and their measured accuracy."""
    engine = app_context(ctx).ready_engine()
    brand_id = brands.resolve(engine, brand) if brand else None
    found = corrections.models(engine, brand_id)
    if json_output:
        print_json({"default": SentimentModel.default().name, "models": found})
        return
    rows = [{**m, "before": (m["evaluation"] or {}).get("before"),
             "after": (m["evaluation"] or {}).get("after")} for m in found]
    console().print(rows_table("Sentiment heads", rows, ["brand", "revision", "active",
                                                         "corrections", "before", "after",
                                                         "created_at"]))


def _rescore(engine: Any, brand_id: int, brand: str, model: SentimentModel, *,
             show: bool) -> int:
    classifier = SentimentClassifier(brand_models={brand: model})
    with engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(brand_posts)
                             .where(brand_posts.c.brand_id == brand_id)).scalar_one()
    out = console()
    with Progress(TextColumn("[bold]Rescoring"), BarColumn(), MofNCompleteColumn(),
                  TimeRemainingColumn(), console=out, transient=True,
                  disable=not show or not out.is_terminal or total == 0) as bar:
        task = bar.add_task("rescore", total=total)
        return corrections.rescore(engine, brand_id, classifier,
                                   progress=lambda done: bar.update(task, completed=done))
