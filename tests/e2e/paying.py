"""Shared steps of the browser tests that pay: the Stripe sandboxes, connecting payouts on the
sandbox's hosted onboarding, paying on its hosted Checkout page. tests/e2e/conftest.py makes
the fixtures available to every browser test."""

import pytest
import stripe
from playwright.sync_api import expect

from payments.models import ConnectedAccount
from payments.sandbox import Sandbox
from payments.sandbox.server import start_in_thread
from payments.stripe_api import reset_embedded_sandbox


@pytest.fixture
def stripe_sandbox(settings, site):
    """A sandbox on its own port that sends no events (tests hand them over); success URLs
    lead back to the live server."""
    app = Sandbox()
    server, url = start_in_thread(app)
    settings.STRIPE_API_BASE = url
    settings.STRIPE_SECRET_KEY = "sk_test_sandbox"
    settings.PAYMENTS_SANDBOX = True
    # Forms may lead to its hosted pages (the CSP's form-action, read from the environment
    # when the settings load: STRIPE_SANDBOX_PUBLIC_URL or STRIPE_API_BASE).
    form_action = [*settings.SECURE_CSP["form-action"], url]
    settings.SECURE_CSP = {**settings.SECURE_CSP, "form-action": form_action}
    yield stripe.StripeClient("sk_test_sandbox", base_addresses={"api": url})
    server.shutdown()
    server.server_close()


@pytest.fixture
def embedded(settings, site):
    """The embedded sandbox, in memory, sending its signed events to the live server, where
    the webhook task runs at once (Celery eager): everything happens as on `make run`."""
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


def connect_payouts(page, sandbox, artist, check=None) -> None:
    """Studio → Get paid → Set up payouts → the hosted onboarding → back, payouts on.
    `check(page)` runs on our pages on the way (axe, say)."""
    check = check or (lambda page: None)
    page.goto("/studio/")
    page.get_by_role("link", name="Get paid").click()
    expect(page.get_by_role("heading", name="Get paid")).to_be_visible()
    expect(page.get_by_role("note")).to_have_text("Sandbox payments — no real money.")
    check(page)
    page.get_by_role("button", name="Set up payouts").click()
    expect(page.get_by_role("heading", name="Set up payouts")).to_be_visible()
    assert "/_sandbox/stripe/sandbox/onboarding/acct_" in page.url
    page.get_by_role("button", name="Complete onboarding").click()
    page.wait_for_url("**/studio/payouts/return")
    assert sandbox.webhooks.wait_idle(10)  # account.updated delivered and processed
    assert ConnectedAccount.objects.get(artist=artist).payouts_ready
    page.goto("/studio/payouts/")
    expect(page.get_by_text("Payouts are on.")).to_be_visible()
    check(page)


def pay_on_stripe(page, amount: str) -> None:
    """Press Pay on Stripe's (the sandbox's) hosted Checkout page: `amount` like "6.50 EUR"."""
    pay = page.get_by_role("button", name=f"Pay {amount}")
    expect(pay).to_be_visible()
    pay.click()
