"""A rights holder files a takedown request in Chromium (signed out), staff take the track
down, and its uploader answers from the notification with a counter-notice. The claim form
and the counter-notice form pass axe-core."""

import pytest
from django.core import mail
from playwright.sync_api import expect

from takedowns import services
from takedowns.models import CopyrightClaim
from tests.e2e.axe import serious_violations
from tests.e2e.conftest import screenshot, sign_in
from tests.factories import ArtistFactory, TrackFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_claim_and_a_counter_notice(browser, live_server, site):
    uploader = ArtistFactory(name="Copy Cat", slug="copy-cat", user__email="cat@example.com")
    track = TrackFactory(artist=uploader, title="Borrowed Tune")
    staff = UserFactory(is_staff=True, is_superuser=True)

    claimant = browser.new_context(base_url=live_server.url).new_page()
    claimant.goto("/")
    claimant.get_by_role("link", name="Report copyright infringement").click()
    expect(claimant.get_by_role("heading", level=1)).to_have_text("Report copyright infringement")
    assert serious_violations(claimant) == []

    claimant.get_by_label("Your full name", exact=True).fill("Ada Rights")
    claimant.get_by_label("E-mail address").fill("ada@rights.example")
    claimant.get_by_label("Postal address").fill("1 Music Lane, London")
    claimant.get_by_label("I am authorised to act for the owner").check()
    claimant.get_by_label("The copyrighted work").fill("“Original Tune” by Ada Rights (2019).")
    addresses = claimant.get_by_label("Addresses of the infringing works on this site")
    addresses.fill(f"{live_server.url}/track/nothere/\n")
    claimant.get_by_label("I have a good-faith belief").check()
    claimant.get_by_label("The information in this notice is accurate").check()
    claimant.get_by_label("Signature: type your full name").fill("Ada Rights")
    claimant.get_by_role("button", name="Send the claim").click()

    # A line that names nothing is refused with its number; the rest of the form is kept.
    expect(claimant.get_by_role("alert").first).to_contain_text("Line 1: we could not find")
    assert serious_violations(claimant) == []
    addresses.fill(f"{live_server.url}{track.get_absolute_url()}")
    claimant.get_by_label("I have a good-faith belief").check()
    claimant.get_by_label("The information in this notice is accurate").check()
    claimant.get_by_role("button", name="Send the claim").click()

    expect(claimant.get_by_role("heading", level=1)).to_have_text("We received your claim")
    claim = CopyrightClaim.objects.get()
    expect(claimant.locator("main .notice")).to_contain_text(claim.reference)
    assert any(claim.reference in m.subject for m in mail.outbox)
    screenshot(claimant, "copyright-claim-received")

    services.take_down_works(claim=claim, actor=staff, note="Matches the claimant's recording")

    page = browser.new_context(base_url=live_server.url).new_page()
    sign_in(page, live_server, uploader.user)
    page.goto("/notifications/")
    page.get_by_role("link", name="After a copyright claim").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Answer a copyright claim")
    expect(page.locator("main")).to_contain_text("Original Tune")
    assert serious_violations(page) == []

    page.get_by_label("Why the work was taken down by mistake").fill(
        "I wrote this tune myself; it only shares a title."
    )
    page.get_by_label("I swear, under penalty of perjury").check()
    page.get_by_label("I consent to the jurisdiction").check()
    page.get_by_label("Your postal address").fill("2 Shed Road, Bristol")
    page.get_by_label("Signature: type your full name").fill("Cat Copy")
    page.get_by_role("button", name="File the counter-notice").click()

    expect(page.locator("main .notice")).to_contain_text("You filed a counter-notice")
    assert serious_violations(page) == []
    screenshot(page, "copyright-counter-notice-filed")
    claim.refresh_from_db()
    assert claim.status == CopyrightClaim.Status.COUNTERED
    assert any(
        m.to == ["ada@rights.example"] and "I wrote this tune myself" in m.body for m in mail.outbox
    )
