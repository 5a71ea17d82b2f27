"""Real Chromium (Debian's, through Playwright) against pytest-django's live server."""

import functools
import http.server
import os
import threading
import time
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from tests.e2e.paying import embedded, stripe_sandbox  # noqa: F401 — fixtures for every test

CHROMIUM = os.getenv("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
    "--autoplay-policy=no-user-gesture-required",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class RequestTracker:
    """Counts the live server's in-flight requests, so teardown can wait for quiet.

    Closing a page fires its pagehide beacon; if the live server is still answering it
    when pytest-django truncates the tables, PostgreSQL deadlocks the two.
    """

    def __init__(self, httpd) -> None:
        self.in_flight = 0
        self.last_finished = time.monotonic()
        self.changed = threading.Condition()
        handle = httpd.process_request_thread

        def counted(request, client_address) -> None:
            with self.changed:
                self.in_flight += 1
            try:
                handle(request, client_address)
            finally:
                with self.changed:
                    self.in_flight -= 1
                    self.last_finished = time.monotonic()
                    self.changed.notify_all()

        httpd.process_request_thread = counted

    def wait_for_quiet(self, quiet: float = 0.3, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        with self.changed:
            while time.monotonic() < deadline:
                idle_for = time.monotonic() - self.last_finished
                if self.in_flight == 0 and idle_for >= quiet:
                    return
                self.changed.wait(quiet if self.in_flight == 0 else 0.1)


@pytest.fixture(scope="session")
def live_server_requests(live_server):
    return RequestTracker(live_server.thread.httpd)


@pytest.fixture(autouse=True)
def settle_live_server(live_server_requests):
    """After each test's pages close, let late requests finish before the tables are flushed."""
    yield
    live_server_requests.wait_for_quiet()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


DESKTOP_CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/140.0 Safari/537.36"


@pytest.fixture
def listener(browser, live_server):
    """A browser that does not announce itself as headless (HeadlessChrome is flagged as a bot)."""
    context = browser.new_context(base_url=live_server.url, user_agent=DESKTOP_CHROME)
    yield context.new_page()
    context.close()


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
    )
    page = context.new_page()
    yield page
    context.close()


def sign_in(page, live_server, user) -> None:
    """Sign `user` in for this browser page (a session made by Django's test client)."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"].value
    page.context.add_cookies([{"name": "sessionid", "value": cookie, "url": live_server.url}])


def screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)


@pytest.fixture
def site(settings, live_server):
    """Share and embed URLs point at the live server."""
    settings.SITE_URL = live_server.url
    return live_server.url


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def other_origin(tmp_path):
    """A static web server on a second port: someone else's blog."""
    handler = functools.partial(QuietHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield tmp_path, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def wait_until_playing_past(frame, seconds: float, *, source_not: str = "") -> None:
    """Until the embed's <audio> plays beyond `seconds` (from a source other than `source_not`)."""
    frame.wait_for_function(
        "([seconds, old]) => { const a = document.querySelector('audio');"
        " return a.currentSrc !== old && !a.paused && a.currentTime > seconds; }",
        arg=[seconds, source_not],
    )
