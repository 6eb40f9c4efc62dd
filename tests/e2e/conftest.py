"""Browser tests: the real app under uvicorn, driven by a real headless Chromium (Playwright).

The browser is the system's Chromium (``/usr/bin/chromium``, Debian's package; ``make
browser`` installs it), never one downloaded by Playwright; set ``CONFIANCE_CHROMIUM`` to use
another path. Without it the tests skip with the reason, unless
``CONFIANCE_REQUIRE_BROWSER=1`` (CI), where they fail. Each test gets its own server on a
free loopback port over a fresh SQLite file; screenshots go to
``var/test-artifacts/screenshots/``.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import uvicorn

from confiance.auth.roles import Role
from confiance.core.db import make_engine
from confiance.core.settings import Settings
from confiance.domain import Brand, Platform, Post
from confiance.store import accounts, brands, workspaces
from confiance.store.ingest import ingest
from confiance.web.app import create_app
from tests.conftest import migrate_schema

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

ROOT = Path(__file__).parents[2]
SCREENSHOTS = ROOT / "var" / "test-artifacts" / "screenshots"
PASSWORD = "correct horse battery staple"
ONE_TIME = "one-time-password-42"
MENTIONS = 1234
"""Posts attached to the brand: enough for a thousands separator."""


def _chromium() -> str:
    """The Chromium executable, or skip (fail when CONFIANCE_REQUIRE_BROWSER=1) with why."""
    path = os.environ.get("CONFIANCE_CHROMIUM", "/usr/bin/chromium")
    reason = None
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        reason = "the playwright package is not installed (pip install -e '.[dev]')"
    if reason is None and not (Path(path).is_file() and os.access(path, os.X_OK)):
        found = shutil.which("chromium")
        elsewhere = f" (there is one at {found}: set CONFIANCE_CHROMIUM)" if found else ""
        reason = (f"no Chromium at {path}{elsewhere}; run `make browser` to install Debian's "
                  "chromium package")
    if reason is not None:
        if os.environ.get("CONFIANCE_REQUIRE_BROWSER") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    return path


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """A headless Chromium for a test module (closed after it, so that Playwright's event
    loop does not outlive the browser tests)."""
    executable = _chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=executable, headless=True,
            args=["--no-sandbox", "--disable-background-networking"])
        yield launched
        launched.close()


@dataclass
class LiveSite:
    """The running app: its address, database and who can sign in."""

    url: str
    engine: Any
    brand_id: int
    users: dict[str, str] = field(default_factory=dict)


def _seed(engine: Any) -> tuple[int, dict[str, str]]:
    """A workspace with one brand (1,234 mentions) and a competitor; an analyst, and a new
    user holding a one-time password."""
    with engine.begin() as conn:
        workspace = workspaces.ensure(conn, "acme")
    brand_id = brands.add(engine, Brand(name="Acme", query="acme OR #acme"),
                          workspace_id=workspace)
    brands.add(engine, Brand(name="Globex", query="globex"), workspace_id=workspace)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    ingest(engine, (Post(platform=Platform.X, platform_id=str(n), text=f"acme post {n}",
                         created_at=start + timedelta(hours=n)) for n in range(MENTIONS)),
           source="e2e", format="generic", brand_id=brand_id)
    users = {"analyst": "analyst@acme.example", "new": "new@acme.example"}
    with engine.begin() as conn:
        analyst = accounts.create_user(conn, users["analyst"], PASSWORD, display_name="Ana Lyste")
        new = accounts.create_user(conn, users["new"], ONE_TIME, must_change_password=True)
        for user_id in (analyst, new):
            accounts.set_role(conn, user_id, workspace, Role.ANALYST)
    return brand_id, users


@pytest.fixture
def live_site(tmp_path: Path) -> Iterator[LiveSite]:
    """The app served by uvicorn in a thread, on a free loopback port, over SQLite."""
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'e2e.db'}", env="test")
    engine = make_engine(settings)
    migrate_schema(engine)
    brand_id, users = _seed(engine)
    app = create_app(settings, engine=engine)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield LiveSite(url=f"http://127.0.0.1:{port}", engine=engine, brand_id=brand_id,
                       users=users)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
        engine.dispose()


CSP_WATCH = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI);
});
"""


@dataclass
class Watched:
    """A page and what went wrong in it: console errors, failed or foreign requests."""

    page: Page
    site: LiveSite
    problems: list[str] = field(default_factory=list)

    def goto(self, path: str) -> None:
        """Open ``path`` on the site."""
        self.page.goto(self.site.url + path)

    def unexpected(self, *allowed: str) -> list[str]:
        """The problems, less those containing one of ``allowed`` (an expected 401 page)."""
        return [p for p in self.problems if not any(a in p for a in allowed)]

    def csp_violations(self) -> list[str]:
        """The Content-Security-Policy violations the page reported."""
        found: list[str] = self.page.evaluate("window.__cspViolations || []")
        return found

    def screenshot(self, name: str) -> Path:
        """Save a full-page screenshot as a test artefact."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


def _page(browser: Browser, live_site: LiveSite, **options: Any) -> Iterator[Watched]:
    context = browser.new_context(locale="fr-FR", **options)
    page = context.new_page()
    watched = Watched(page=page, site=live_site)
    page.add_init_script(CSP_WATCH)
    page.on("console", lambda message: watched.problems.append(f"console: {message.text}")
            if message.type == "error" else None)
    page.on("pageerror", lambda error: watched.problems.append(f"page error: {error}"))

    def _request(request: Any) -> None:
        if not request.url.startswith((live_site.url, "data:", "about:")):
            watched.problems.append(f"request to another origin: {request.url}")

    page.on("request", _request)
    try:
        yield watched
    finally:
        context.close()


@pytest.fixture
def laptop(browser: Browser, live_site: LiveSite) -> Iterator[Watched]:
    """A page 1280 px wide, in a French browser."""
    yield from _page(browser, live_site, viewport={"width": 1280, "height": 800})


@pytest.fixture
def phone(browser: Browser, live_site: LiveSite) -> Iterator[Watched]:
    """A page 375 px wide (a phone), in a French browser."""
    yield from _page(browser, live_site, viewport={"width": 375, "height": 812},
                     device_scale_factor=2, is_mobile=True, has_touch=True)
