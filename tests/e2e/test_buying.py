"""A fan names a price for a track in Chromium, pays on the (sandbox's) Stripe page, and once the
webhook is booked downloads the original from their purchases. Our pages pass axe-core."""

from pathlib import Path

import pytest
import stripe
from playwright.sync_api import expect

from payments.models import PriceTag
from payments.sandbox import Sandbox
from payments.sandbox.server import start_in_thread
from payments.webhooks import HANDLERS
from tests.e2e.axe import serious_violations
from tests.e2e.conftest import screenshot, sign_in
from tests.factories import ArtistFactory, TrackFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def stripe_sandbox(settings, site):
    """A sandbox on its own port; success URLs lead back to the live server."""
    app = Sandbox()
    server, url = start_in_thread(app)
    settings.STRIPE_API_BASE = url
    settings.STRIPE_SECRET_KEY = "sk_test_sandbox"
    settings.PAYMENTS_SANDBOX = True
    yield stripe.StripeClient("sk_test_sandbox", base_addresses={"api": url})
    server.shutdown()
    server.server_close()


def test_a_fan_buys_a_track_and_downloads_it(page, live_server, stripe_sandbox):
    artist = ArtistFactory(name="Mira Sol", slug="mira-sol")
    track = TrackFactory(artist=artist, title="Night Bus")
    PriceTag.objects.create(track=track, price=500, minimum=300)
    sign_in(page, live_server, UserFactory(username="wren"))

    page.goto(track.get_absolute_url())
    buy = page.locator(".buy")
    expect(buy).to_contain_text("€5.00 or more — name your price from €3.00")
    expect(buy).to_contain_text("Sandbox payments — no real money.")
    assert serious_violations(page) == []
    screenshot(page, "buying-track-page")

    # Below the minimum: the form says why, nothing is charged.
    buy.get_by_label("Amount (EUR)").fill("2")
    buy.get_by_role("button", name="Buy").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter at least €3.00.")
    assert serious_violations(page) == []

    page.get_by_label("Amount (EUR)").fill("6.50")
    page.get_by_role("button", name="Pay with Stripe").click()
    pay = page.get_by_role("button", name="Pay 6.50 EUR")  # on Stripe's (the sandbox's) page
    expect(pay).to_be_visible()
    screenshot(page, "buying-hosted-checkout")
    pay.click()
    expect(page.locator("main")).to_contain_text("We are confirming your payment of €6.50")

    # Stripe's checkout.session.completed reaches the handler (as the webhook task delivers it).
    (event,) = stripe_sandbox.v1.events.list(params={"type": "checkout.session.completed"}).data
    HANDLERS[event.type](event)
    # The thanks page asks again every 2 s: it turns to "paid" by itself.
    expect(page.locator("main")).to_contain_text("Your purchase of €6.50 to Mira Sol is paid.")
    page.get_by_role("link", name="Download it from your purchases").click()
    expect(page.get_by_role("heading", name="Purchases")).to_be_visible()
    assert serious_violations(page) == []
    screenshot(page, "buying-purchases")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download Night Bus").click()
    assert download.value.suggested_filename == "original.flac"
    assert Path(download.value.path()).read_bytes() == b"fLaC-not-really"
