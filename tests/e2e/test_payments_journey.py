"""Getting paid, end to end in Chromium against the embedded Stripe sandbox, with nothing handed
over by hand: an artist connects payouts on the hosted onboarding; a fan buys a release and tips
on the hosted Checkout page (the sandbox's signed webhooks book both); the artist sees both on
the earnings page; an admin runs payouts from the Django admin; the artist's statement shows the
Stripe transfer. Our pages pass axe-core."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from payments.models import Payout, PriceTag
from tests.e2e.axe import assert_accessible
from tests.e2e.conftest import screenshot, sign_in
from tests.e2e.paying import connect_payouts, pay_on_stripe
from tests.factories import ArtistFactory, ReleaseFactory, TrackFactory, UserFactory
from tests.payments.scenarios import assert_books_balance

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# €10.00 release: fee 59, cut 150 → 791. €5.00 tip: fee 45, cut 75 → 380. Together €11.71.
SHARE = 791 + 380


def test_an_artist_is_paid_for_a_sale_and_a_tip(page, live_server, embedded, admin_user):
    mira = ArtistFactory(name="Mira Sol", slug="mira-sol")
    release = ReleaseFactory(artist=mira, title="Shed Tapes")
    TrackFactory(artist=mira, release=release, title="Night Bus")
    PriceTag.objects.create(release=release, price=1000)

    # 1. The artist connects payouts through Stripe's (the sandbox's) hosted onboarding.
    sign_in(page, live_server, mira.user)
    connect_payouts(page, embedded, mira)

    # 2. A fan buys the release, then tips; the sandbox's webhooks book each payment.
    page.context.clear_cookies()
    sign_in(page, live_server, UserFactory(username="wren"))
    page.goto(release.get_absolute_url())
    buy = page.locator(".buy")
    expect(buy).to_contain_text("€10.00")
    buy.get_by_role("button", name="Buy").click()
    pay_on_stripe(page, "10.00 EUR")
    expect(page.locator("main")).to_contain_text("Your purchase of €10.00 to Mira Sol is paid.")
    page.goto(mira.get_absolute_url())
    page.get_by_role("link", name="Tip Mira Sol").click()
    page.get_by_label("Amount (EUR)").fill("5")
    page.get_by_label("Message to the artist (optional)").fill("For the <b>shed</b> tapes!")
    page.get_by_role("button", name="Pay with Stripe").click()
    pay_on_stripe(page, "5.00 EUR")
    expect(page.locator("main")).to_contain_text("Your tip of €5.00 to Mira Sol is paid.")
    assert embedded.webhooks.wait_idle(10)

    # 3. The artist sees both on the earnings page: all of it ready for the next payout.
    page.context.clear_cookies()
    sign_in(page, live_server, mira.user)
    page.goto("/studio/")
    page.get_by_role("link", name="Earnings").click()
    expect(page.locator("tr[data-line=sale]")).to_contain_text("€10.00")
    expect(page.locator("tr[data-line=sale]")).to_contain_text("€7.91")
    expect(page.locator("tr[data-line=tip]")).to_contain_text("€5.00")
    expect(page.locator("tr[data-line=tip]")).to_contain_text("€3.80")
    expect(page.locator("[data-balance]")).to_have_text("€11.71")
    expect(page.locator("[data-pending]")).to_have_text("€0.00")
    expect(page.locator("[data-paid-out]")).to_have_text("€0.00")
    assert_accessible(page)
    screenshot(page, "payments-journey-earnings")

    # 4. An admin runs payouts from the Django admin (the list is still empty: a button).
    page.context.clear_cookies()
    sign_in(page, live_server, admin_user)
    page.goto("/admin/payments/payout/")
    expect(page.locator("#content")).to_contain_text("0 payouts")
    page.get_by_role("button", name="Run payouts now").click()
    expect(page.locator(".messagelist")).to_contain_text("Payouts are running.")
    expect(page.locator("#result_list")).to_contain_text("€11.71")
    expect(page.locator("#result_list")).to_contain_text("Sent")
    [payout] = Payout.objects.all()
    assert (payout.artist, payout.amount, payout.status) == (mira, SHARE, "sent")
    assert payout.stripe_transfer_id in {t["id"] for t in embedded.store.find("transfer")}
    screenshot(page, "payments-journey-admin-payouts")

    # 5. The artist's earnings show it paid out, and the month's statement the transfer.
    page.context.clear_cookies()
    sign_in(page, live_server, mira.user)
    page.goto("/studio/earnings/")
    expect(page.locator("[data-balance]")).to_have_text("€0.00")
    expect(page.locator("[data-in-transit]")).to_have_text("€0.00")
    expect(page.locator("[data-paid-out]")).to_have_text("€11.71")
    assert_accessible(page)
    month = timezone.now().strftime("%B %Y")
    page.get_by_role("link", name=month, exact=True).click()
    expect(page.get_by_role("heading", name=f"Statement for {month}")).to_be_visible()
    payout_line = page.locator("tr[data-line=payout]")
    expect(payout_line).to_contain_text(f"Stripe transfer {payout.stripe_transfer_id}, sent")
    expect(payout_line).to_contain_text("€11.71")
    expect(page.locator("[data-closing]")).to_have_text("€0.00")
    assert_accessible(page)
    screenshot(page, "payments-journey-statement")
    assert_books_balance(mira)
