"""An artist connects payouts in Chromium: Studio → Get paid → the sandbox's hosted onboarding →
back on Backstage, where payouts turn on once the signed account.updated has come in."""

import pytest
from playwright.sync_api import expect

from payments.models import ConnectedAccount
from payments.sandbox import Sandbox
from payments.stripe_api import reset_embedded_sandbox
from tests.e2e.axe import serious_violations
from tests.e2e.conftest import screenshot, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def embedded(settings, site):
    """The embedded sandbox, in memory, sending its events to the live server."""
    settings.REDIS_URL = ""
    settings.STRIPE_SECRET_KEY = settings.STRIPE_SANDBOX_KEY
    settings.STRIPE_API_BASE = ""
    settings.PAYMENTS_SANDBOX = True
    sandbox = Sandbox(
        webhook_url=f"{site}/payments/webhook",
        webhook_secret=settings.STRIPE_WEBHOOK_SECRET,
        retry_delays=(0.1, 0.5, 1.0),
    )
    reset_embedded_sandbox(sandbox)
    yield sandbox
    reset_embedded_sandbox()


def test_an_artist_connects_payouts_through_the_hosted_page(page, live_server, artist, embedded):
    sign_in(page, live_server, artist.user)
    page.goto("/studio/")
    page.get_by_role("link", name="Get paid").click()
    expect(page.get_by_role("heading", name="Get paid")).to_be_visible()
    expect(page.get_by_role("note")).to_have_text("Sandbox payments — no real money.")
    assert serious_violations(page) == []

    page.get_by_role("button", name="Set up payouts").click()
    expect(page.get_by_role("heading", name="Set up payouts")).to_be_visible()
    assert "/_sandbox/stripe/sandbox/onboarding/acct_" in page.url
    page.get_by_role("button", name="Complete onboarding").click()

    page.wait_for_url("**/studio/payouts/return")
    assert embedded.webhooks.wait_idle(10)
    assert ConnectedAccount.objects.get(artist=artist).payouts_ready
    page.goto("/studio/payouts/")
    expect(page.get_by_text("Payouts are on.")).to_be_visible()
    assert serious_violations(page) == []
    screenshot(page, "payouts-on")
