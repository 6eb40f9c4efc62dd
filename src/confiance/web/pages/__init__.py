"""The server-rendered web app: Jinja2 pages with light JavaScript (htmx, Chart.js).

``install(app)`` adds everything to an app built by ``create_app``: the page routes, the
static files under ``/static``, the templates in both interface languages, the security
headers, and HTML error pages for errors met outside ``/api/``.

Layout: one module per group of pages (``account``: sign-in, sign-out, password, language;
``brand``: home and the brand pages, whose data and extra routes are in ``overview_page``,
``mentions_page``, ``queries_page``, ``alerts_page``, ``alert_rules_page`` and
``sources_page``), one template
per page under ``web/templates/``, one context builder per page; ``frame`` builds what the
layout needs, ``i18n`` the languages and localised formats, ``security`` the headers and
redirect checks.
"""

from __future__ import annotations

from fastapi import FastAPI
from starlette.staticfiles import StaticFiles

from confiance.web.pages import (
    account,
    alert_rules_page,
    alerts_page,
    brand,
    error_pages,
    mentions_page,
    overview_page,
    queries_page,
    sources_page,
)
from confiance.web.pages.security import SecurityHeaders
from confiance.web.pages.templating import STATIC_DIR, Templates


def install(app: FastAPI) -> None:
    """Add the web app's pages, static files, languages and security headers to ``app``."""
    app.state.templates = Templates.load()
    app.state.page_error = error_pages.page_error
    app.include_router(account.router)
    app.include_router(brand.router)
    for page in (overview_page, mentions_page, queries_page, alerts_page, alert_rules_page,
                 sources_page):
        app.include_router(page.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.add_middleware(SecurityHeaders)
