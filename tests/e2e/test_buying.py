"""A fan names a price for a track in Chromium, pays on the (sandbox's) Stripe page, and once the
webhook is booked downloads the original, or the MP3, from their purchases. Our pages pass
axe-core."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from payments.models import PriceTag
from payments.webhooks import HANDLERS
from tests.e2e.axe import serious_violations
from tests.e2e.conftest import screenshot, sign_in
from tests.e2e.paying import pay_on_stripe
from tests.factories import ArtistFactory, TrackFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


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
    expect(page.get_by_role("button", name="Pay 6.50 EUR")).to_be_visible()
    screenshot(page, "buying-hosted-checkout")
    pay_on_stripe(page, "6.50 EUR")
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
        page.get_by_role("link", name="Download FLAC (original) of Night Bus").click()
    assert download.value.suggested_filename == "original.flac"
    assert Path(download.value.path()).read_bytes() == b"fLaC-not-really"
    with page.expect_download() as download:  # or the MP3 the pipeline made
        page.get_by_role("link", name="Download MP3 128 kb/s of Night Bus").click()
    assert download.value.suggested_filename == "original.mp3"
