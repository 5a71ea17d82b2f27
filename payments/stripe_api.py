"""The one way Backstage reaches Stripe: `stripe_client()`, configured from settings.

With a real key it is Stripe. With STRIPE_API_BASE it is that server (a sandbox served on its
own). Otherwise (PAYMENTS_SANDBOX, the embedded default) it is the sandbox WSGI app inside this
process, called without a socket: a single-threaded server calling itself over HTTP would wait
for itself forever. Its hosted pages are mounted on this site at SANDBOX_MOUNT (payments/views.py)
and its webhooks are POSTed to this site's /payments/webhook, signed with STRIPE_WEBHOOK_SECRET.
"""

import io
import threading
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import stripe
from django.conf import settings
from requests.structures import CaseInsensitiveDict

from .sandbox import Sandbox

SANDBOX_MOUNT = "/_sandbox/stripe"

_sandbox: Sandbox | None = None
_sandbox_lock = threading.Lock()


def embedded_sandbox() -> Sandbox:
    """The process's sandbox, made on first use (its state file read back, if there is one)."""
    global _sandbox
    with _sandbox_lock:
        if _sandbox is None:
            _sandbox = Sandbox(
                webhook_url=f"{settings.SITE_URL}/payments/webhook",
                webhook_secret=settings.STRIPE_WEBHOOK_SECRET,
                state_path=settings.STRIPE_SANDBOX_STATE or None,
            )
        return _sandbox


def reset_embedded_sandbox(sandbox: Sandbox | None = None) -> None:
    """Forget (or replace) the process's sandbox: for tests."""
    global _sandbox
    with _sandbox_lock:
        _sandbox = sandbox


def call_wsgi(
    app: Any, *, method: str, url: str, headers: Mapping[str, str], body: bytes = b""
) -> tuple[int, list[tuple[str, str]], bytes]:
    """Run one request through a WSGI app mounted at SANDBOX_MOUNT on `url`'s host."""
    parts = urlsplit(url)
    path = parts.path[len(SANDBOX_MOUNT) :] if parts.path.startswith(SANDBOX_MOUNT) else parts.path
    environ = {
        "REQUEST_METHOD": method.upper(),
        "SCRIPT_NAME": SANDBOX_MOUNT,
        "PATH_INFO": path or "/",
        "QUERY_STRING": parts.query,
        "CONTENT_TYPE": headers.get("Content-Type", ""),
        "CONTENT_LENGTH": str(len(body)),
        "SERVER_NAME": parts.hostname or "localhost",
        "SERVER_PORT": str(parts.port or (443 if parts.scheme == "https" else 80)),
        "HTTP_HOST": parts.netloc,
        "wsgi.url_scheme": parts.scheme or "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": io.StringIO(),
    }
    for name, value in headers.items():
        if name.lower() not in ("content-type", "content-length", "host"):
            environ["HTTP_" + name.upper().replace("-", "_")] = value
    answer: dict[str, Any] = {}

    def start_response(status: str, response_headers: list[tuple[str, str]], exc_info=None):
        answer["status"], answer["headers"] = int(status.split()[0]), response_headers

    data = b"".join(app(environ, start_response))
    return answer["status"], answer["headers"], data


class InProcessClient(stripe.HTTPClient):
    """The stripe library's HTTP client, answered by the embedded sandbox in this process."""

    name = "backstage-sandbox"

    def __init__(self, app: Sandbox) -> None:
        super().__init__()
        self.app = app

    def request(self, method, url, headers, post_data=None, *, _usage=None):
        body = post_data.encode() if isinstance(post_data, str) else (post_data or b"")
        status, response_headers, data = call_wsgi(
            self.app, method=method, url=url, headers=headers or {}, body=body
        )
        return data.decode(), status, CaseInsensitiveDict(response_headers)

    def close(self) -> None:
        pass


def stripe_client() -> stripe.StripeClient:
    """A client for Stripe, or the sandbox standing in for it (see the module docstring)."""
    key = settings.STRIPE_SECRET_KEY
    if settings.STRIPE_API_BASE:
        return stripe.StripeClient(
            key, base_addresses={"api": settings.STRIPE_API_BASE}, max_network_retries=2
        )
    if settings.PAYMENTS_SANDBOX:
        return stripe.StripeClient(
            key if key.startswith("sk_test_") else settings.STRIPE_SANDBOX_KEY,
            base_addresses={"api": settings.SITE_URL + SANDBOX_MOUNT},
            http_client=InProcessClient(embedded_sandbox()),
            max_network_retries=0,
        )
    return stripe.StripeClient(key, max_network_retries=2)
