"""Interface languages: complete catalogues, language choice, localised numbers and dates."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from confiance.web.pages import i18n
from confiance.web.pages.templating import Templates

ROOT = Path(__file__).parents[2]


def _template_messages() -> set[str | tuple[str, ...]]:
    """Every message the templates mark for translation, found as ``pybabel extract`` does."""
    with (ROOT / "babel.cfg").open() as handle:
        method_map, options_map = parse_mapping_cfg(handle, "babel.cfg")
    found: set[str | tuple[str, ...]] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, options_map):
        found.add(message if isinstance(message, str) else tuple(message))
    return found


def _catalogue(locale: str) -> dict[str | tuple[str, ...], object]:
    path = i18n.LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    return {(m.id if isinstance(m.id, str) else tuple(m.id)): m for m in catalog if m.id}


def test_every_template_string_has_a_french_translation() -> None:
    messages = _template_messages()
    assert len(messages) > 40
    french = _catalogue("fr")
    untranslated = []
    for message in sorted(messages, key=str):
        entry = french.get(message)
        strings: Any = getattr(entry, "string", None)
        done = bool(strings) and (isinstance(strings, str) or all(strings))
        if entry is None or not done or getattr(entry, "fuzzy", True):
            untranslated.append(message)
    assert not untranslated, (
        "translate these in src/confiance/web/locale/fr/LC_MESSAGES/messages.po (pybabel "
        f"extract + update, see the user guide): {untranslated}")


def test_the_english_catalogue_knows_every_string() -> None:
    missing = _template_messages() - set(_catalogue("en"))
    assert not missing, f"run pybabel update (see the user guide): {missing}"


def test_catalogues_load_without_a_compile_step() -> None:
    translations = i18n.load_translations()
    assert translations["fr"].gettext("Sign in") == "Se connecter"
    assert translations["en"].gettext("Sign in") == "Sign in"
    assert translations["fr"].ngettext("%(shown)s mention", "%(shown)s mentions", 0) == \
        "%(shown)s mention"


@pytest.mark.parametrize(("header", "expected"), [
    ("en-GB,en;q=0.9", "en"), ("fr-CA,fr;q=0.9,en;q=0.8", "fr"), ("de, en;q=0.5", "en"),
    ("en;q=0, fr;q=0.1", "fr"), ("de-DE", None), ("", None), (None, None), ("*", None),
    ("en;q=abc,fr;q=0.2", "fr"),
])
def test_accept_language(header: str | None, expected: str | None) -> None:
    assert i18n.from_accept_language(header) == expected


def test_the_user_comes_first_then_the_browser_then_french() -> None:
    assert i18n.choose(user_locale="en", accept_language="fr") == "en"
    assert i18n.choose(user_locale=None, accept_language="en-US") == "en"
    assert i18n.choose(user_locale=None, accept_language="en", requested="fr") == "fr"
    assert i18n.choose(user_locale=None, accept_language="es") == "fr"


def _plain(text: str) -> str:
    return text.replace("\u202f", " ").replace("\xa0", " ")


def test_numbers_and_dates_follow_the_language() -> None:
    assert _plain(i18n.number(1234.5, "fr")) == "1 234,5"
    assert i18n.number(1234.5, "en") == "1,234.5"
    assert _plain(i18n.number(1234, "fr", digits=2)) == "1 234,00"
    assert _plain(i18n.percent(0.125, "fr", digits=1)) == "12,5 %"
    assert i18n.percent(0.125, "en", digits=1) == "12.5%"
    assert i18n.number(None, "en") == "—"
    moment = datetime(2026, 3, 5, 14, 7, tzinfo=UTC)
    assert _plain(i18n.when(moment, "fr")) == "5 mars 2026, 14:07"
    assert _plain(i18n.when(moment, "en")) == "Mar 5, 2026, 2:07 PM"
    assert i18n.when(date(2026, 3, 5), "fr", style="long") == "5 mars 2026"


def test_templates_have_the_filters_and_escape_everything() -> None:
    templates = Templates.load()
    env = templates.environment("fr")
    rendered = env.from_string(
        "{{ n|number }} {{ share|percent(1) }} {{ at|when('long') }} {{ evil }} "
        "{{ _('Sign in') }}").render(n=1234567, share=0.5, at=date(2026, 1, 2),
                                      evil="<script>alert(1)</script>")
    assert _plain(rendered) == "1 234 567 50,0 % 2 janvier 2026 " \
        "&lt;script&gt;alert(1)&lt;/script&gt; Se connecter"
    assert templates.environment("de") is env
