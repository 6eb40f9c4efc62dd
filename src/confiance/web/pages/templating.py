"""The Jinja2 environments of the web app: one per interface language, autoescaped.

Each environment has its language's gettext catalogue installed (``_``, ``gettext``,
``ngettext`` and ``{% trans %}``, new-style so that translated strings are escaped too) and
the formatting filters bound to that language::

    {{ total|number }}          1 234 (fr) / 1,234 (en)
    {{ share|percent(1) }}      12,5 % / 12.5%
    {{ created_at|when }}       23 nov. 2026, 07:47 / Nov 23, 2026, 7:47 AM
"""

from __future__ import annotations

import gettext
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from confiance import __version__
from confiance.web.pages import i18n

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates"
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
ASSETS = {
    "htmx": "vendor/htmx/htmx-2.0.11.min.js",
    "chart": "vendor/chartjs/chart-4.6.1.umd.min.js",
    "app": "js/confiance.js",
    "css": "css/confiance.css",
    "icon": "favicon.svg",
}
"""Static files the templates name (``{{ asset("htmx") }}``); vendored ones carry their
version in the file name, see THIRD_PARTY.md."""


def build_environment(locale: str, translations: gettext.GNUTranslations,
                      template_dir: Path = TEMPLATE_DIR) -> Environment:
    """The environment rendering pages in ``locale``."""
    env = Environment(loader=FileSystemLoader(template_dir),
                      autoescape=select_autoescape(["html", "xml"], default=True),
                      undefined=StrictUndefined, extensions=["jinja2.ext.i18n"],
                      trim_blocks=True, lstrip_blocks=True)
    env.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]
    env.filters.update(
        number=lambda value, digits=None: i18n.number(value, locale, digits=digits),
        percent=lambda value, digits=0: i18n.percent(value, locale, digits=digits),
        when=partial(_when, locale=locale),
    )
    env.globals.update(locale=locale, languages=i18n.language_names(), version=__version__,
                       asset=lambda name: f"/static/{ASSETS[name]}")
    return env


def _when(value: datetime | date | None, style: str = "medium", *, locale: str) -> str:
    return i18n.when(value, locale, style=style)


@dataclass(frozen=True)
class Templates:
    """The environments by language; ``render`` answers a page."""

    environments: Mapping[str, Environment]

    @classmethod
    def load(cls, template_dir: Path = TEMPLATE_DIR,
             locale_dir: Path = i18n.LOCALE_DIR) -> Templates:
        """Read the catalogues and build one environment per interface language."""
        translations = i18n.load_translations(locale_dir)
        return cls({locale: build_environment(locale, catalogue, template_dir)
                    for locale, catalogue in translations.items()})

    def environment(self, locale: str) -> Environment:
        """The environment of ``locale`` (French for a language we do not have)."""
        return self.environments.get(locale) or self.environments[i18n.DEFAULT_LOCALE]

    def render_text(self, template: str, locale: str, context: Mapping[str, Any]) -> str:
        """``template`` rendered in ``locale`` with ``context``."""
        return self.environment(locale).get_template(template).render(**context)

    def render(self, template: str, locale: str, context: Mapping[str, Any], *,
               status_code: int = 200, headers: Mapping[str, str] | None = None
               ) -> HTMLResponse:
        """An HTML response of ``template`` rendered in ``locale``."""
        response = HTMLResponse(self.render_text(template, locale, context),
                                status_code=status_code, headers=dict(headers or {}))
        response.headers["Content-Language"] = locale
        return response


def templates_of(request: Request) -> Templates:
    """The app's templates (built by ``pages.install``)."""
    templates: Templates = request.app.state.templates
    return templates
