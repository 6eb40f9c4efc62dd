"""The frame every page is drawn in: who is signed in, in which language, which brand.

A page's template receives ``frame`` (a :class:`Frame`) and whatever its own context builder
returns; ``base.html`` draws the navigation, the brand switcher, the language switch and the
user menu from the frame alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Literal
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from sqlalchemy import Connection, Engine
from starlette.requests import Request

from confiance.auth.roles import Role
from confiance.core.settings import Settings
from confiance.store import brands, credentials, rollups
from confiance.store.accounts import User
from confiance.store.brands import BrandRecord
from confiance.web.deps import SESSION_COOKIE, Principal
from confiance.web.pages import i18n

BrandPage = Literal["overview", "mentions", "queries", "alerts", "sources"]
BRAND_PAGES: tuple[BrandPage, ...] = ("overview", "mentions", "queries", "alerts", "sources")
"""The pages of a brand, in the order of the main menu."""


@dataclass(frozen=True)
class Frame:
    """What the layout needs to draw any page."""

    locale: str
    path: str
    """The current path and query, where the language switch and sign-in come back to."""
    user: User | None = None
    csrf_token: str | None = None
    brands: list[BrandRecord] = field(default_factory=list)
    """The user's own brands (not competitors), by name: the brand switcher."""
    brand: BrandRecord | None = None
    page: BrandPage | None = None
    mentions: int | None = None
    """How many posts are attached to ``brand``."""
    role: Role | None = None
    """The user's role in ``brand``'s workspace (what the page offers to do)."""
    chrome: bool = True
    """Whether to draw the navigation (not on the forced password change)."""

    @property
    def signed_in(self) -> bool:
        """Whether someone is signed in."""
        return self.user is not None

    def in_language(self, locale: str) -> str:
        """This page's address with ``?lang=locale`` (the switch before signing in)."""
        parts = urlsplit(self.path)
        query = [(k, v) for k, v in parse_qsl(parts.query) if k != "lang"]
        return urlunsplit(("", "", parts.path, urlencode([*query, ("lang", locale)]), ""))


def current_path(request: Request) -> str:
    """The request's path with its query string."""
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


def anonymous(request: Request) -> Frame:
    """The frame of a page seen before signing in (``?lang=`` or the browser's language)."""
    locale = i18n.choose(user_locale=None,
                         accept_language=request.headers.get("accept-language"),
                         requested=request.query_params.get("lang"))
    return Frame(locale=locale, path=current_path(request))


def own_brands(conn: Connection, principal: Principal) -> list[BrandRecord]:
    """The principal's brands, competitors left out, by name."""
    return [b for b in brands.records(conn, principal.workspace_ids) if b.competitor_of is None]


def signed_in(request: Request, conn: Connection, principal: Principal, *,
              brand: BrandRecord | None = None, page: BrandPage | None = None,
              chrome: bool = True) -> Frame:
    """The frame of a signed-in page, in the user's language."""
    locale = i18n.choose(user_locale=principal.user.locale,
                         accept_language=request.headers.get("accept-language"))
    return Frame(locale=locale, path=current_path(request), user=principal.user,
                 csrf_token=principal.csrf_token, brands=own_brands(conn, principal),
                 brand=brand, page=page, chrome=chrome,
                 mentions=None if brand is None else rollups.mention_count(conn, brand.id),
                 role=None if brand is None else principal.role(brand.workspace_id))


def session_user(request: Request, engine: Engine, settings: Settings) -> User | None:
    """The user whose session cookie this browser holds, if any (for pages that anyone may
    see, such as the sign-in page and error pages)."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None
    with engine.begin() as conn:
        found = credentials.session_identity(conn, cookie,
                                             timedelta(hours=settings.session_hours))
    return None if found is None else found[1]


def for_user(request: Request, user: User | None) -> Frame:
    """A frame without brand for ``user`` (or an anonymous one): error pages."""
    if user is None:
        return anonymous(request)
    locale = i18n.choose(user_locale=user.locale,
                         accept_language=request.headers.get("accept-language"))
    return Frame(locale=locale, path=current_path(request), user=user, chrome=False)
