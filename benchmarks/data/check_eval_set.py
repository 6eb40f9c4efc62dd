"""Check a sentiment evaluation set in JSON Lines and print its class, genre and domain counts.

Each line must be one JSON object with exactly the keys ``id``, ``text``, ``label``, ``genre``
and ``domain``. The script reports:

* lines that are not valid JSON objects, or whose keys or values are wrong;
* duplicate ids, and duplicate texts (compared after case folding and whitespace collapsing);
* near-duplicate pairs: texts whose word sets have a Jaccard similarity above the threshold
  (words are lower-cased, stripped of accents, and split on anything that is not a letter
  or a digit);
* the counts per label, genre and domain, and text lengths in words.

It exits with status 1 when it found any problem (near-duplicates included), 0 otherwise.
Standard library only; run it with any Python 3.11+:

    python benchmarks/data/check_eval_set.py [path] [--threshold 0.7]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import unicodedata
from collections import Counter
from collections.abc import Iterable
from itertools import combinations
from pathlib import Path

DEFAULT_PATH = Path(__file__).with_name("sentiment_fr_eval.jsonl")
KEYS = frozenset({"id", "text", "label", "genre", "domain"})
LABELS = ("positive", "neutral", "negative")
GENRES = ("tweet", "review", "comment", "forum")
ID_RE = re.compile(r"^fr-\d{4}$")
DOMAIN_RE = re.compile(r"^[a-z][a-z0-9_]*$")
WORD_RE = re.compile(r"[^\W_]+")


def words(text: str) -> frozenset[str]:
    """Lower-cased, accent-free word set of ``text``."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return frozenset(WORD_RE.findall(bare))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def normalised(text: str) -> str:
    return " ".join(text.casefold().split())


def check_record(lineno: int, obj: object) -> list[str]:
    """Problems with one parsed line, as messages."""
    if not isinstance(obj, dict):
        return [f"line {lineno}: not a JSON object"]
    problems = []
    keys = set(obj)
    if keys != KEYS:
        missing = sorted(KEYS - keys)
        extra = sorted(keys - KEYS)
        problems.append(f"line {lineno}: missing keys {missing}, unexpected keys {extra}")
    for key in sorted(KEYS & keys):
        if not isinstance(obj[key], str):
            problems.append(f"line {lineno}: {key!r} is not a string")
    if problems:
        return problems
    if not ID_RE.match(obj["id"]):
        problems.append(f"line {lineno}: id {obj['id']!r} does not look like fr-0001")
    text = obj["text"]
    if not text.strip():
        problems.append(f"line {lineno}: empty text")
    elif text != text.strip():
        problems.append(f"line {lineno}: text has leading or trailing whitespace")
    if obj["label"] not in LABELS:
        problems.append(f"line {lineno}: label {obj['label']!r} not in {LABELS}")
    if obj["genre"] not in GENRES:
        problems.append(f"line {lineno}: genre {obj['genre']!r} not in {GENRES}")
    if not DOMAIN_RE.match(obj["domain"]):
        problems.append(f"line {lineno}: domain {obj['domain']!r} is not lower_snake_case")
    return problems


def load(path: Path) -> tuple[list[dict[str, str]], list[str]]:
    records: list[dict[str, str]] = []
    problems: list[str] = []
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, start=1):
            if not line.strip():
                problems.append(f"line {lineno}: blank line")
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                problems.append(f"line {lineno}: invalid JSON ({exc})")
                continue
            found = check_record(lineno, obj)
            problems.extend(found)
            if not found:
                records.append(obj)
    return records, problems


def duplicates(records: list[dict[str, str]]) -> list[str]:
    problems = []
    for key, norm in (("id", str), ("text", normalised)):
        seen: dict[str, str] = {}
        for rec in records:
            value = norm(rec[key])
            if value in seen:
                problems.append(f"duplicate {key}: {rec['id']} repeats {seen[value]}")
            else:
                seen[value] = rec["id"]
    return problems


def near_duplicates(
    records: list[dict[str, str]], threshold: float
) -> list[tuple[float, dict[str, str], dict[str, str]]]:
    bags = [(rec, words(rec["text"])) for rec in records]
    pairs = []
    for (ra, wa), (rb, wb) in combinations(bags, 2):
        score = jaccard(wa, wb)
        if score > threshold:
            pairs.append((score, ra, rb))
    return sorted(pairs, key=lambda p: -p[0])


def print_counts(title: str, counter: Counter[str], order: Iterable[str] | None = None) -> None:
    total = sum(counter.values())
    keys = list(order) if order is not None else sorted(counter, key=lambda k: (-counter[k], k))
    print(f"{title} ({len(counter)} values, {total} items)")
    for key in keys:
        n = counter.get(key, 0)
        share = 100 * n / total if total else 0.0
        print(f"  {key:<16} {n:>4}  {share:5.1f} %")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("path", nargs="?", type=Path, default=DEFAULT_PATH)
    parser.add_argument(
        "--threshold", type=float, default=0.7, help="report pairs above this word-set Jaccard"
    )
    args = parser.parse_args(argv)

    records, problems = load(args.path)
    problems.extend(duplicates(records))
    pairs = near_duplicates(records, args.threshold)

    print(f"{args.path}: {len(records)} valid records")
    print_counts("labels", Counter(r["label"] for r in records), LABELS)
    print_counts("genres", Counter(r["genre"] for r in records), GENRES)
    print_counts("domains", Counter(r["domain"] for r in records))
    print("labels by genre")
    for genre in GENRES:
        by_label = Counter(r["label"] for r in records if r["genre"] == genre)
        print(f"  {genre:<8} " + "  ".join(f"{lab} {by_label.get(lab, 0):>3}" for lab in LABELS))
    lengths = [len(words(r["text"])) for r in records]
    if lengths:
        print(
            f"length in words: min {min(lengths)}, median {statistics.median(lengths):g}, "
            f"max {max(lengths)}"
        )

    print(f"near-duplicate pairs (word-set Jaccard > {args.threshold}): {len(pairs)}")
    for score, ra, rb in pairs:
        print(f"  {score:.2f}  {ra['id']}: {ra['text']!r}")
        print(f"        {rb['id']}: {rb['text']!r}")
    print(f"problems: {len(problems)}")
    for problem in problems:
        print(f"  {problem}")
    return 1 if problems or pairs else 0


if __name__ == "__main__":
    sys.exit(main())
