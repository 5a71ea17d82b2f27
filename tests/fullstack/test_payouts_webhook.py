"""An artist's payouts turn on through the whole stack: the sandbox's hosted page, its signed
account.updated to the running site, the event queued in Redis after commit, and the real worker
re-fetching the account from the sandbox (served over HTTP, since the worker is another process).
"""

import time
import urllib.error
import urllib.request
from urllib.parse import parse_qs, urlsplit

import pytest

from payments.connect import create_onboarding_link
from payments.models import ConnectedAccount, WebhookEvent
from payments.sandbox import Sandbox
from payments.sandbox.server import start_in_thread
from payments.stripe_api import reset_embedded_sandbox
from tests.fullstack.conftest import WORKER

pytestmark = [
    pytest.mark.fullstack,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("celery_worker"),
]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.fixture
def sandbox_server(request, live_server, settings):
    """The sandbox on its own port, sending events to the live site; the worker told of it."""
    app = Sandbox(
        webhook_url=f"{live_server.url}/payments/webhook",
        webhook_secret=settings.STRIPE_WEBHOOK_SECRET,
        retry_delays=(0.1, 0.5, 1.0),
    )
    server, url = start_in_thread(app)
    settings.STRIPE_API_BASE = url
    reset_embedded_sandbox()
    worker = request.config.stash[WORKER]
    worker.stop()
    worker.start(STRIPE_API_BASE=url)
    yield app
    worker.stop()
    worker.start()
    server.shutdown()
    server.server_close()


def test_the_worker_turns_payouts_on_from_the_signed_event(artist, sandbox_server, live_server):
    url = create_onboarding_link(
        artist=artist,
        refresh_url=f"{live_server.url}/studio/payouts/refresh",
        return_url=f"{live_server.url}/studio/payouts/return",
    )
    opener = urllib.request.build_opener(NoRedirect, urllib.request.ProxyHandler({}))
    token = parse_qs(urlsplit(url).query)["link"][0]
    with pytest.raises(urllib.error.HTTPError) as redirected:
        opener.open(
            urllib.request.Request(
                urlsplit(url)._replace(query="").geturl(),
                data=f"link={token}&outcome=complete".encode(),
            )
        )
    assert redirected.value.code == 303

    deadline = time.monotonic() + 30
    while not ConnectedAccount.objects.get(artist=artist).payouts_ready:
        assert time.monotonic() < deadline, "the worker never turned payouts on"
        time.sleep(0.2)
    event = WebhookEvent.objects.get()
    assert (event.type, event.attempts, event.last_error) == ("account.updated", 1, "")
    assert [status for _, status in sandbox_server.webhooks.attempts] == [200]
