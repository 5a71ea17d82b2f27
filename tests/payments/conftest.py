"""The Stripe sandbox served on a free loopback port, and a webhook receiver for its events."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import stripe

from payments.sandbox import Sandbox
from payments.sandbox.server import start_in_thread

WEBHOOK_SECRET = "whsec_sandbox_tests"


class Receiver:
    """Collects the POSTs it receives; answers `statuses` in turn, then 200."""

    def __init__(self) -> None:
        self.received: list[tuple[str, str]] = []  # (raw body, Stripe-Signature)
        self.statuses: list[int] = []
        self.lock = threading.Lock()

    def events(self, type: str | None = None) -> list[dict]:
        with self.lock:
            events = [json.loads(body) for body, _ in self.received]
        return [e for e in events if type is None or e["type"] == type]

    def wait_for(self, type: str, count: int = 1, timeout: float = 10) -> list[dict]:
        deadline = time.monotonic() + timeout
        while len(self.events(type)) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"{count} × {type} not received: {self.events()}")
            time.sleep(0.02)
        return self.events(type)


@pytest.fixture
def receiver():
    collected = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"])).decode()
            with collected.lock:
                status = collected.statuses.pop(0) if collected.statuses else 200
                if status == 200:
                    collected.received.append((body, self.headers["Stripe-Signature"]))
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    ).start()
    collected.url = f"http://127.0.0.1:{server.server_port}/webhooks/stripe"
    yield collected
    server.shutdown()
    server.server_close()


@pytest.fixture
def sandbox(receiver):
    """The sandbox app (its `.url` set), posting events to `receiver`, retrying quickly."""
    app = Sandbox(
        webhook_url=receiver.url, webhook_secret=WEBHOOK_SECRET, retry_delays=(0.05, 0.1, 0.2)
    )
    server, app.url = start_in_thread(app)
    yield app
    server.shutdown()
    server.server_close()


@pytest.fixture
def payments_settings(settings, sandbox):
    """stripe_client() talks to the test sandbox; success URLs point at a fixed site."""
    settings.STRIPE_API_BASE = sandbox.url
    settings.STRIPE_SECRET_KEY = "sk_test_sandbox"
    settings.PAYMENTS_SANDBOX = True
    settings.SITE_URL = "http://backstage.test"
    return settings


@pytest.fixture
def fan_client(client, fan):
    client.force_login(fan)
    return client


@pytest.fixture
def stripe_client(sandbox):
    """The official library pointed at the sandbox: the same code path as real Stripe."""
    return stripe.StripeClient(
        "sk_test_backstage", base_addresses={"api": sandbox.url}, max_network_retries=0
    )


@pytest.fixture(autouse=True)
def _embedded_sandbox(settings):
    """stripe_client() gets a fresh in-memory sandbox that sends no webhooks anywhere.

    (The default would keep state in var/ and post events to SITE_URL, perhaps a dev server.)
    """
    from payments.stripe_api import reset_embedded_sandbox

    settings.STRIPE_SECRET_KEY = settings.STRIPE_SANDBOX_KEY
    settings.STRIPE_API_BASE = ""
    settings.PAYMENTS_SANDBOX = True
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    reset_embedded_sandbox(Sandbox(webhook_secret=WEBHOOK_SECRET))
    yield
    reset_embedded_sandbox()


@pytest.fixture
def embedded(sandbox):
    """The `sandbox` fixture (events to `receiver`) as the site's embedded sandbox."""
    from payments.stripe_api import reset_embedded_sandbox

    reset_embedded_sandbox(sandbox)
    return sandbox
