"""Personal data in a text: e-mail addresses, phone numbers, IBANs and card numbers.

:func:`find_pii` finds them (kind, start, end) and :func:`redact` replaces each with a
placeholder (:data:`PLACEHOLDERS`); ``confiance.moderation.v1`` turns them into the
``pii_*`` flags. Numbers are checked, not just shaped: an IBAN must pass its mod-97 check
and a card number the Luhn check with a known brand prefix, and phone numbers must follow a
French, E.164 or North-American layout, so prices, order numbers, dates, years and postal
codes are left alone. The number patterns run only when the text holds seven digits close
together.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise

PLACEHOLDERS = {"email": "[email]", "phone": "[phone]", "iban": "[iban]", "card": "[card]"}
"""What :func:`redact` puts in place of each kind of personal data."""

_SEP = r"[ \u00a0\u202f.\-]"
EMAIL = re.compile(r"\w[\w.+\-]{0,63}@[A-Za-z0-9\-]{1,63}(?:\.[A-Za-z0-9\-]{1,63})*"
                    r"\.[A-Za-z][A-Za-z0-9\-]{1,62}(?![A-Za-z0-9\-])")
"""An e-mail address. It ends where the domain's characters end and its local part may start
right after them, so that what is left around a redacted address never reads as a new one;
parts are bounded (64 and 63 characters), so matching stays linear."""
_PHONES = (
    # French national: 0X then four pairs, one separator used throughout.
    re.compile(r"(?<![\w+/=])(?<!\d[.,])0[1-9](?P<sep>[ \u00a0\u202f.\-]?)\d{2}"
               r"(?:(?P=sep)\d{2}){3}(?!\d)(?![.,\-]\d)"),
    # French with the 0033 prefix.
    re.compile(rf"(?<![\w+/=])0033{_SEP}?(?:\(0\){_SEP}?)?[1-9](?:{_SEP}?\d{{2}}){{4}}(?!\d)"),
    # International E.164 (+33 included): 8 to 15 digits, an optional (0).
    re.compile(rf"(?<![\w+/=])\+[1-9](?:{_SEP}?(?:\(0\){_SEP}?)?\d){{7,14}}(?!\d)"),
    # North American with the area code in brackets: (555) 123-4567, +1 (555) 123 4567.
    re.compile(rf"(?<![\w+/=])(?:\+?1{_SEP}?)?\(\d{{3}}\){_SEP}?\d{{3}}{_SEP}\d{{4}}(?!\d)"),
    # North American with dashes or dots throughout: 555-123-4567.
    re.compile(r"(?<![\w+/=.\-])[2-9]\d{2}(?P<sep>[.\-])\d{3}(?P=sep)\d{4}(?!\d)(?![.\-]\d)"),
)
_IBAN = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?:[ \u00a0]?[A-Za-z0-9]){8,32}")
_DIGIT_RUN = re.compile(r"(?<![\d\w])\d+(?:[ \-]\d+)*(?!\d)")
_DIGITS = re.compile(r"\d+")
_LONG_NUMBER = re.compile(r"\d(?:[ \u00a0\u202f.\-()]{0,2}\d){6}")
"""Seven digits, with at most two separators between two of them: every phone number, IBAN
and card number has such a stretch, so a text without one is not searched further."""

IBAN_LENGTHS = {
    "AD": 24, "AT": 20, "BE": 16, "BG": 22, "CH": 21, "CY": 28, "CZ": 24, "DE": 22, "DK": 18,
    "EE": 20, "ES": 24, "FI": 18, "FR": 27, "GB": 22, "GR": 27, "HR": 21, "HU": 28, "IE": 22,
    "IS": 26, "IT": 27, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MA": 28, "MC": 27, "MT": 31,
    "NL": 18, "NO": 15, "PL": 28, "PT": 25, "RO": 24, "SE": 24, "SI": 19, "SK": 24, "SM": 27,
    "TN": 24, "TR": 26,
}
"""IBAN length per country (SEPA and neighbours); other countries are not recognised."""

_KIND_ORDER = {"email": 0, "iban": 1, "card": 2, "phone": 3}


@dataclass(frozen=True, slots=True)
class PiiMatch:
    """A piece of personal data in a text: its kind and its ``[start, end)`` offsets."""

    kind: str
    """``email``, ``phone``, ``iban`` or ``card``."""
    start: int
    end: int


def find_pii(text: str) -> list[PiiMatch]:
    """The e-mail addresses, phone numbers, IBANs and card numbers in ``text``, in order.

    Where candidates overlap, the first kind in e-mail > IBAN > card > phone wins.
    """
    candidates = sorted(_candidates(text), key=lambda m: m.start)
    if all(a.end <= b.start for a, b in pairwise(candidates)):
        return candidates
    kept: list[PiiMatch] = []
    for match in sorted(candidates, key=lambda m: (_KIND_ORDER[m.kind], m.start)):
        if all(match.end <= other.start or other.end <= match.start for other in kept):
            kept.append(match)
    return sorted(kept, key=lambda m: m.start)


def redact(text: str) -> str:
    """``text`` with its personal data replaced by ``[email]``, ``[phone]``, ``[iban]`` and
    ``[card]``; everything else is kept as it was.

    Overlapping candidates are replaced together, by one placeholder (that of the kind
    :func:`find_pii` prefers), so that no part of any of them is left behind.
    """
    candidates = sorted(_candidates(text), key=lambda m: m.start)
    if not candidates:
        return text
    parts: list[str] = []
    position = 0
    group = [candidates[0]]
    for match in [*candidates[1:], None]:
        if match is not None and match.start < max(m.end for m in group):
            group.append(match)
            continue
        kind = min((m.kind for m in group), key=_KIND_ORDER.__getitem__)
        parts += [text[position:group[0].start], PLACEHOLDERS[kind]]
        position = max(m.end for m in group)
        if match is not None:
            group = [match]
    parts.append(text[position:])
    return "".join(parts)


def _candidates(text: str) -> list[PiiMatch]:
    """Every match of every detector, overlaps included."""
    found: list[PiiMatch] = []
    if "@" in text:
        found.extend(PiiMatch("email", m.start(), m.end()) for m in EMAIL.finditer(text))
    if _LONG_NUMBER.search(text):
        found.extend(_ibans(text))
        found.extend(_cards(text))
        found.extend(_phones(text))
    return found


def _phones(text: str) -> Iterator[PiiMatch]:
    for pattern, needs in zip(_PHONES, ("", "0033", "+", "(", ""), strict=True):
        if needs not in text:
            continue
        for match in pattern.finditer(text):
            digits = re.sub(r"\(0\)|\D", "", match.group())
            if 8 <= len(digits) <= 15 and len(set(digits)) >= 3:
                yield PiiMatch("phone", match.start(), match.end())


def _ibans(text: str) -> Iterator[PiiMatch]:
    for match in _IBAN.finditer(text):
        chunk = match.group()
        length = IBAN_LENGTHS.get(chunk[:2].upper())
        if length is None:
            continue
        compact: list[str] = []
        end = match.start()
        for offset, char in enumerate(chunk):
            if char.isalnum():
                compact.append(char)
                if len(compact) == length:
                    end = match.start() + offset + 1
                    break
        if len(compact) == length and iban_is_valid("".join(compact)):
            yield PiiMatch("iban", match.start(), end)


def iban_is_valid(iban: str) -> bool:
    """Whether ``iban`` (no spaces) has a known country, its length and a valid mod-97 check."""
    iban = iban.upper()
    if IBAN_LENGTHS.get(iban[:2]) != len(iban) or not iban.isascii() or not iban.isalnum():
        return False
    if not iban[2:4].isdigit():
        return False
    moved = iban[4:] + iban[:4]
    return int("".join(str(int(c, 36)) for c in moved)) % 97 == 1


def luhn_is_valid(number: str) -> bool:
    """Whether the digits of ``number`` pass the Luhn check."""
    total = 0
    for position, char in enumerate(reversed(number)):
        digit = int(char)
        if position % 2:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def card_brand_fits(number: str) -> bool:
    """Whether a digit string has the prefix and length of a payment card brand."""
    size = len(number)
    prefix2, prefix4 = int(number[:2]), int(number[:4])
    if number[0] == "4":
        return size in (13, 16, 19)  # Visa (and CB co-branded)
    if 51 <= prefix2 <= 55 or 2221 <= prefix4 <= 2720:
        return size == 16  # Mastercard
    if prefix2 in (34, 37):
        return size == 15  # American Express
    if prefix2 in (36, 38) or 300 <= int(number[:3]) <= 305:
        return size in (14, 16)  # Diners Club
    if number.startswith(("6011", "65")) or 644 <= int(number[:3]) <= 649:
        return 16 <= size <= 19  # Discover
    if 3528 <= prefix4 <= 3589 or prefix2 == 62:
        return 16 <= size <= 19  # JCB, UnionPay
    return False


def _cards(text: str) -> Iterator[PiiMatch]:
    """Card numbers: runs of digit groups, tried window by window (the number may be
    followed by an expiry date or preceded by other numbers)."""
    for run in _DIGIT_RUN.finditer(text):
        if sum(c.isdigit() for c in run.group()) < 13:
            continue
        groups = [(m.start() + run.start(), m.end() + run.start())
                  for m in _DIGITS.finditer(run.group())]
        first = 0
        while first < len(groups):
            last = _card_from(text, groups, first)
            if last is None:
                first += 1
            else:
                yield PiiMatch("card", groups[first][0], groups[last][1])
                first = last + 1


def _card_from(text: str, groups: list[tuple[int, int]], first: int) -> int | None:
    """The last group of the longest card number starting at group ``first``, if any."""
    ends: list[int] = []
    total = 0
    for last in range(first, len(groups)):
        total += groups[last][1] - groups[last][0]
        if total > 19:
            break
        if total >= 13:
            ends.append(last)
    for last in reversed(ends):
        window = groups[first:last + 1]
        if not _card_grouping([end - start for start, end in window]):
            continue
        separators = {text[window[i][1]:window[i + 1][0]] for i in range(len(window) - 1)}
        if len(separators) > 1:
            continue
        number = "".join(text[start:end] for start, end in window)
        if card_brand_fits(number) and luhn_is_valid(number):
            return last
    return None


def _card_grouping(sizes: list[int]) -> bool:
    if len(sizes) == 1:
        return True
    if sizes in ([4, 6, 5], [4, 6, 4]):
        return True
    return all(size == 4 for size in sizes[:-1]) and 1 <= sizes[-1] <= 4
