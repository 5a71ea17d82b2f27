"""An uploader credits a collaborator and proposes a split in Chromium (the form says what is
wrong first); the collaborator accepts; after a sale each sees their part on the earnings page
and in the month's statement.
Our pages pass axe-core."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from payments.booking import _post
from payments.models import Payment, PriceTag
from tests.e2e.axe import serious_violations
from tests.e2e.conftest import screenshot, sign_in
from tests.factories import ArtistFactory, ReleaseFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_an_uploader_splits_a_release_and_both_see_their_earnings(page, live_server, settings):
    settings.PAYMENTS_SANDBOX = True
    mira = ArtistFactory(name="Mira Sol", slug="mira-sol")
    ada = ArtistFactory(name="Ada", slug="ada")
    release = ReleaseFactory(artist=mira, title="Shed Tapes")
    PriceTag.objects.create(release=release, price=1000)
    sign_in(page, live_server, mira.user)

    page.goto(live_server.url + release.get_absolute_url())
    page.get_by_role("link", name="Splits").click()
    expect(page.get_by_role("heading", name="Credits and splits for “Shed Tapes”")).to_be_visible()
    page.get_by_label("Artist", exact=True).fill("ada")
    page.get_by_label("Role").select_option("producer")
    page.get_by_role("button", name="Add credit").click()
    expect(page.locator("[data-credits]")).to_contain_text("Ada — Producer")
    page.get_by_label("Propose a split").fill("mira-sol 33.33\nada 33.33")
    page.get_by_role("button", name="Propose split").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "The shares add up to 66.66 %; they must add up to exactly 100 %."
    )
    assert serious_violations(page) == []
    page.get_by_label("Propose a split").fill("mira-sol 33.33\nada 66.67")
    page.get_by_role("button", name="Propose split").click()
    expect(page.locator(".proposal-pending")).to_contain_text("Ada: 66.67 % — Not answered yet")
    screenshot(page, "earnings-splits")

    # Ada confirms her credit and accepts the split (Studio → Credits): only now it counts.
    page.context.clear_cookies()
    sign_in(page, live_server, ada.user)
    page.goto(live_server.url + "/studio/credits/")
    page.get_by_role("button", name="Confirm your credit on Shed Tapes").click()
    expect(page.get_by_role("main")).to_contain_text("Credit confirmed: you appear on")
    page.get_by_role("button", name="Accept the split of Shed Tapes").click()
    expect(page.get_by_role("main")).to_contain_text("Split accepted. Everyone has")
    page.context.clear_cookies()
    sign_in(page, live_server, mira.user)

    # A fan's €10.00 sale, booked as the checkout webhook books it: share 791 → 264 / 527.
    fan = UserFactory(username="wren")
    payment = Payment.objects.create(
        kind="sale", fan=fan, artist=mira, release=release, amount=1000, currency="eur",
        form_token="t", payment_intent_id="pi_e2e",
    )  # fmt: skip
    _post(payment=payment, intent_id="pi_e2e", fee=59)

    page.goto(live_server.url + "/studio/")
    page.get_by_role("link", name="Earnings").click()
    expect(page.locator("[data-balance]")).to_have_text("€2.64")
    expect(page.locator("main")).to_contain_text("Sandbox payments — no real money.")
    expect(page.locator("tr[data-line=sale]")).to_contain_text("€10.00")
    assert serious_violations(page) == []
    screenshot(page, "earnings-page")
    month = timezone.now().strftime("%B %Y")
    page.get_by_role("link", name=month, exact=True).click()
    expect(page.get_by_role("heading", name=f"Statement for {month}")).to_be_visible()
    expect(page.locator("[data-closing]")).to_have_text("€2.64")
    assert serious_violations(page) == []
    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    assert download.value.suggested_filename.startswith("statement-mira-sol-")

    page.context.clear_cookies()
    sign_in(page, live_server, ada.user)
    page.goto(live_server.url + "/studio/earnings/")
    expect(page.locator("[data-balance]")).to_have_text("€5.27")
    expect(page.locator("tr[data-line=split]")).to_contain_text("€5.27")
