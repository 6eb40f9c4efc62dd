"""Interface languages: choosing one per request, the gettext catalogues, localised numbers.

The catalogues are the ``.po`` files under ``web/locale/<lang>/LC_MESSAGES/messages.po``
(managed with ``pybabel extract / update``, see docs). They are read and compiled in memory
when the app is built, so there is no ``.mo`` file to compile and none to forget. Message ids
are English; the English catalogue may leave them untranslated (the id is shown).
"""

from __future__ import annotations

import gettext
import io
from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent

from confiance.store.accounts import LOCALES

DEFAULT_LOCALE = "fr"
"""French first: the language when neither the user nor the browser names one we have."""
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
"""Where ``<lang>/LC_MESSAGES/messages.po`` live."""
DOMAIN = "messages"

Number = int | float | Decimal


def supported(value: str | None) -> str | None:
    """``value`` if it names an interface language (``fr``, ``en-GB`` → ``en``), else ``None``."""
    if not value:
        return None
    primary = value.strip().replace("_", "-").split("-", 1)[0].casefold()
    return primary if primary in LOCALES else None


def from_accept_language(header: str | None) -> str | None:
    """The interface language the browser prefers most among ours (``None``: none of them).

    ``fr-CA,fr;q=0.9,en;q=0.8`` → ``fr``; entries with ``q=0`` are refused, ``*`` is ignored.
    """
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate((header or "").split(",")[:32]):
        tag, _, params = part.strip().partition(";")
        weight = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        language = supported(tag)
        if language is not None and weight > 0:
            ranked.append((-weight, position, language))
    return min(ranked)[2] if ranked else None


def choose(*, user_locale: str | None, accept_language: str | None,
           requested: str | None = None) -> str:
    """The language of a page: the signed-in user's, else an explicit ``?lang=`` (pages
    seen before signing in), else the browser's ``Accept-Language``, else French."""
    return (supported(user_locale) or supported(requested)
            or from_accept_language(accept_language) or DEFAULT_LOCALE)


def load_translations(locale_dir: Path = LOCALE_DIR) -> dict[str, gettext.GNUTranslations]:
    """Every interface language's catalogue, compiled in memory from its ``.po`` file."""
    found: dict[str, gettext.GNUTranslations] = {}
    for locale in LOCALES:
        path = locale_dir / locale / "LC_MESSAGES" / f"{DOMAIN}.po"
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=locale, domain=DOMAIN)
        compiled = io.BytesIO()
        write_mo(compiled, catalog, use_fuzzy=False)
        compiled.seek(0)
        found[locale] = gettext.GNUTranslations(compiled)
    return found


def number(value: Number | None, locale: str, *, digits: int | None = None) -> str:
    """``value`` with the language's separators: ``1 234,5`` (fr), ``1,234.5`` (en);
    ``digits`` fixes the number of decimals. ``None`` is shown as an em dash."""
    if value is None:
        return "—"
    if digits is None:
        return format_decimal(value, locale=locale)
    pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
    return format_decimal(value, format=pattern, locale=locale)


def percent(value: Number | None, locale: str, *, digits: int = 0) -> str:
    """A share (0.125) as a percentage: ``12,5 %`` (fr), ``12.5%`` (en)."""
    if value is None:
        return "—"
    pattern = Locale.parse(locale).percent_formats[None].pattern  # "#,##0 %" in French
    if digits > 0:
        pattern = pattern.replace("0", "0." + "0" * digits, 1)
    return format_percent(value, format=pattern, locale=locale)


def when(value: datetime | date | None, locale: str, *, style: str = "medium") -> str:
    """A date or an aware time in the language's format, times in UTC
    (``23 nov. 2026, 07:47`` / ``Nov 23, 2026, 7:47 AM``)."""
    if value is None:
        return "—"
    if isinstance(value, datetime):
        return format_datetime(value, _datetime_format(style, locale), locale=locale,
                               tzinfo=None if value.tzinfo is None else UTC)
    return format_date(value, style, locale=locale)


def _datetime_format(style: str, locale: str) -> str:
    """CLDR's date pattern of ``style`` with a time without seconds."""
    parsed = Locale.parse(locale)
    date_part = parsed.date_formats[style].pattern
    time_part = parsed.time_formats["short"].pattern
    glue = str(parsed.datetime_formats[style])
    return glue.replace("{1}", date_part).replace("{0}", time_part)


def language_names() -> Mapping[str, str]:
    """Each interface language in its own language, for the switch."""
    return {"fr": "Français", "en": "English"}
