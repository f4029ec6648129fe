"""Browser fixtures: a live server on 127.0.0.1 over a real database, and headless Chromium.

Reusable by every browser test::

    def test_something(live_server, page):
        with live_server.session() as session:          # committed on leaving the block
            owner = make_user(session, "ruth")
            project = make_project(session, "lpsa", owner=owner)
        live_server.sign_in(page, "ruth")
        page.goto(live_server.url("/p/lpsa/"))

``page`` fails the test when the page throws an uncaught JavaScript error or the browser
reports a Content-Security-Policy violation. Tests skip when Debian's Chromium
(``/usr/bin/chromium``) or Playwright is missing.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from factories import PASSWORD
from sqlalchemy.orm import Session, sessionmaker

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@dataclass
class LiveServer:
    """The running app: its base URL, and a way to add rows to its database."""

    base_url: str
    database_url: str
    factory: sessionmaker[Session]
    app: Any = field(repr=False)

    def url(self, path: str = "/") -> str:
        return self.base_url + path

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session on the server's database, committed when the block ends."""
        with self.factory() as session:
            yield session
            session.commit()

    def sign_in(self, page: Any, username: str, password: str = PASSWORD) -> None:
        page.goto(self.url("/login"))
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        with page.expect_navigation():
            page.click("main form button")
        assert "/login" not in page.url, f"sign-in as {username} failed"

    def sign_out(self, page: Any) -> None:
        page.context.clear_cookies()


@pytest.fixture
def live_server(database_url: str) -> Iterator[LiveServer]:
    from werkzeug.serving import WSGIRequestHandler, make_server

    from qualcode.db.engine import make_engine, make_sessionmaker
    from webui import create_app

    app = create_app(
        {"DATABASE_URL": database_url, "SECRET_KEY": "browser-tests", "PROPAGATE_EXCEPTIONS": False}
    )

    class QuietHandler(WSGIRequestHandler):
        def log_request(self, *args: Any, **kwargs: Any) -> None:
            pass  # keep test output readable; failures are reported by the tests

    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    engine = make_engine(database_url)
    factory = make_sessionmaker(engine)
    try:
        yield LiveServer(f"http://127.0.0.1:{server.server_port}", database_url, factory, app)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        engine.dispose()
        app.extensions["qualcode.engine"].dispose()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (/usr/bin/chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh browser context (own cookies) and page; JS errors and CSP violations fail."""
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(f"uncaught error: {exc}"))
    page.on(
        "console",
        lambda msg: (
            problems.append(f"console: {msg.text}")
            if msg.type == "error" and "Content Security Policy" in msg.text
            else None
        ),
    )
    yield page
    context.close()
    if problems:
        pytest.fail("the page reported problems:\n" + "\n".join(problems))
