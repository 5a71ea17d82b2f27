"""The artist's earnings page and monthly statements, read from their ledger account only."""

import csv
import datetime
import io
import re
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from payments import ledger, payouts
from payments.booking import _post
from payments.models import (
    ConnectedAccount,
    LedgerAccount,
    LedgerTransaction,
    Payment,
    Payout,
    PriceTag,
)
from payments.splits import Party, set_splits
from tests.factories import ArtistFactory, ReleaseFactory
from tests.payments.buying import buy_and_pay, text
from tests.payments.paying_out import onboard, sell
from tests.payments.scenarios import assert_books_balance

pytestmark = pytest.mark.usefixtures("payments_settings")
Kind = LedgerAccount.Kind
UTC = datetime.UTC


@pytest.fixture
def release(artist):
    release = ReleaseFactory(artist=artist, title="Shed Tapes")
    PriceTag.objects.create(release=release, price=1000)
    return release


@pytest.fixture
def ada(db):
    return ArtistFactory(name="Ada", slug="ada")


def at(year, month, day):
    """Book what follows as if at noon that day (created_at is set by the database row's save)."""
    return mock.patch(
        "django.utils.timezone.now",
        return_value=datetime.datetime(year, month, day, 12, tzinfo=UTC),
    )


def sale(fan, artist, release, amount, *, fee, n):
    payment = Payment.objects.create(
        kind="sale", fan=fan, artist=artist, release=release, amount=amount, currency="eur",
        form_token=f"token-{n}", payment_intent_id=f"pi_{n}",
    )  # fmt: skip
    return _post(payment=payment, intent_id=f"pi_{n}", fee=fee)


def payout(artist, amount, n):
    account = ledger.get_account
    return ledger.post_transaction(
        kind=LedgerTransaction.Kind.PAYOUT,
        reference=f"tr_{n}",
        memo=f"Payout to {artist}",
        currency="eur",
        entries=[
            (account(kind=Kind.ARTIST_BALANCE, currency="eur", artist=artist), -amount),
            (account(kind=Kind.PAYOUTS_IN_TRANSIT, currency="eur"), amount),
        ],
    )


def test_the_artist_sees_a_sale_with_its_fee_and_cut(
    artist_client, fan_client, artist, release, receiver
):
    buy_and_pay(fan_client, receiver, release, "10.00")
    artist_client.force_login(artist.user)

    page = text(artist_client.get(reverse("payments:earnings")))

    assert "Sandbox payments — no real money." in page
    assert (
        "Balance (EUR) €7.91 Pending €7.91 In transit €0.00 Paid out €0.00 Earned in all €7.91"
        in page
    )
    payment = Payment.objects.get()
    assert f"Sale Purchase {payment.id} to Mira Sol €10.00 €0.59 €1.50 €7.91" in page
    assert_books_balance(artist)


def test_a_collaborator_sees_their_share_as_a_split(client, fan, artist, ada, release):
    set_splits(work=release, parties=[Party(artist, 3333), Party(ada, 6667)])
    sale(fan, artist, release, 1000, fee=59, n=1)  # share 791 → 263.64 / 527.36 → 264, 527
    client.force_login(ada.user)

    response = client.get(reverse("payments:earnings"))

    page = text(response)
    assert "Balance (EUR) €5.27" in page
    assert "Split Purchase" in page and "€10.00 €0.59 €1.50 €5.27" in page
    assert ledger.artist_balance(artist, "eur").amount == 264
    assert_books_balance(artist, ada)


def test_payouts_lower_the_balance_and_count_as_paid_out(artist_client, fan, artist, release):
    sale(fan, artist, release, 1000, fee=59, n=1)
    payout(artist, 700, 1)

    page = text(artist_client.get(reverse("payments:earnings")))

    assert "Balance (EUR) €0.91 Pending €0.91 In transit €0.00 Paid out €7.00" in page
    assert "Earned in all €7.91" in page
    assert "Payout Payout to Mira Sol −€7.00" in page or "Payout Payout to Mira Sol -€7.00" in page
    assert_books_balance(artist)


def test_the_page_costs_the_same_queries_for_one_line_or_sixty(
    artist_client, fan, artist, ada, release
):
    set_splits(work=release, parties=[Party(artist, 5000), Party(ada, 5000)])
    sale(fan, artist, release, 1000, fee=59, n=0)
    url = reverse("payments:earnings")
    artist_client.get(url)  # warm the session
    with CaptureQueriesContext(connection) as one:
        assert artist_client.get(url).status_code == 200
    for n in range(1, 60):
        sale(fan, artist, release, 50 + n, fee=31, n=n)
    payout(artist, 100, 1)
    with CaptureQueriesContext(connection) as sixty:
        response = artist_client.get(url)
    # The session, its user, the artist, totals (and months), payouts in transit, the connected
    # account, lines, the base page's artist and the header's unread counts (notifications,
    # messages).
    assert len(sixty) == len(one) == 10
    assert text(response).count("Sale Purchase") == 60
    assert_books_balance(artist, ada)


def test_only_artists_have_an_earnings_page(client, fan, outsider):
    client.force_login(outsider)
    for url in (
        reverse("payments:earnings"),
        reverse("payments:statement", args=[2026, 11]),
        reverse("payments:statement_csv", args=[2026, 11]),
    ):
        assert client.get(url).status_code == 404
    client.logout()
    assert client.get(reverse("payments:earnings")).status_code == 302  # to log in


def test_each_artist_sees_only_their_own_lines(client, fan, artist, ada, release):
    sale(fan, artist, release, 1000, fee=59, n=1)
    client.force_login(ada.user)
    page = text(client.get(reverse("payments:earnings")))
    assert "Sale Purchase" not in page and "€7.91" not in page
    assert "appear here once fans pay" in page


def test_a_monthly_statement_has_the_months_lines_and_balances(artist_client, fan, artist, release):
    with at(2026, 10, 31):
        sale(fan, artist, release, 1000, fee=59, n=1)  # 791, before the month
    with at(2026, 11, 1):
        sale(fan, artist, release, 333, fee=40, n=2)  # cut 49, share 244
    with at(2026, 11, 30):
        payout(artist, 1000, 1)
    with at(2026, 12, 1):
        sale(fan, artist, release, 500, fee=45, n=3)  # after the month

    response = artist_client.get(reverse("payments:statement", args=[2026, 11]))

    page = text(response)
    assert "Statement for November 2026" in page
    assert "Opening balance €7.91 Payout −€10.00 Sale €2.44 Closing balance €0.35" in page.replace(
        "-€", "−€"
    )
    assert page.count("Sale Purchase") == 1 and "€3.33 €0.40 €0.49 €2.44" in page
    months = text(artist_client.get(reverse("payments:earnings")))
    assert "December 2026 CSV for December 2026 November 2026" in months
    assert "October 2026 CSV for October 2026" in months
    assert_books_balance(artist)


def test_the_statement_csv_is_safe_and_in_minor_units(artist_client, fan, artist, release):
    with at(2026, 11, 5):
        sale(fan, artist, release, 1000, fee=59, n=1)
        ledger.post_transaction(
            kind=LedgerTransaction.Kind.CORRECTION,
            reference='=HYPERLINK("http://evil")',
            memo="=1+1 <b>fixed</b>",
            currency="eur",
            entries=[
                (ledger.get_account(kind=Kind.ARTIST_BALANCE, currency="eur", artist=artist), 9),
                (ledger.get_account(kind=Kind.PLATFORM_REVENUE, currency="eur"), -9),
            ],
        )

    response = artist_client.get(reverse("payments:statement_csv", args=[2026, 11]))

    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="statement-mira-sol-2026-11.csv"'
    )
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][1:] == [
        "kind", "description", "reference", "currency", "gross", "fee", "platform cut",
        "your part", "message",
    ]  # fmt: skip
    payment = Payment.objects.get()
    assert rows[1][1:] == [
        "Sale", f"Purchase {payment.id} to Mira Sol", "pi_1", "eur", "1000", "59", "150", "791", ""
    ]  # fmt: skip
    assert rows[1][0] == "2026-11-05T12:00:00+00:00"
    assert rows[2][1:] == [
        "Correction", "'=1+1 <b>fixed</b>", "'=HYPERLINK(\"http://evil\")", "eur", "", "", "-9",
        "9", "",
    ]  # fmt: skip
    html = artist_client.get(reverse("payments:statement", args=[2026, 11])).content.decode()
    assert "&lt;b&gt;fixed&lt;/b&gt;" in html and "<b>fixed" not in html
    assert_books_balance(artist)


@pytest.mark.parametrize("month", ["2026-13", "2026-00", "1999-05", "26-11x"])
def test_an_impossible_month_is_not_found(artist_client, month):
    assert artist_client.get(f"/studio/earnings/statement/{month}/").status_code == 404


def test_an_empty_month_says_so(artist_client):
    page = text(artist_client.get(reverse("payments:statement", args=[2026, 2])))
    assert "Opening balance €0.00" not in page  # no currency booked yet: no balances to show
    assert "Nothing was booked to you this month." in page


# --- Balance / pending / in transit / paid out ---------------------------------------------


def figures(client) -> dict[str, str]:
    """The earnings page's figures in euros, by their data- attribute."""
    html = client.get(reverse("payments:earnings")).content.decode()
    names = ("balance", "pending", "in-transit", "paid-out", "earned")
    return {name: re.search(rf"data-{name}>([^<]*)<", html).group(1) for name in names} | {
        "why": (re.search(r'data-why="(\w+)"', html) or [None, ""])[1]
    }


def ready(artist) -> ConnectedAccount:
    return ConnectedAccount.objects.create(
        artist=artist, stripe_account_id=f"acct_{artist.id}", details_submitted=True,
        charges_enabled=True, payouts_enabled=True,
    )  # fmt: skip


def test_a_balance_is_pending_until_payouts_are_set_up(artist_client, fan, artist, release):
    sale(fan, artist, release, 1000, fee=59, n=1)

    shown = figures(artist_client)

    assert shown == {
        "balance": "€7.91", "pending": "€7.91", "in-transit": "€0.00", "paid-out": "€0.00",
        "earned": "€7.91", "why": "setup",
    }  # fmt: skip
    assert "waits until you" in text(artist_client.get(reverse("payments:earnings")))


def test_a_balance_below_the_minimum_is_pending_and_carried_forward(
    artist_client, fan, artist, release, settings
):
    settings.PAYOUT_MINIMUM = 1000
    ready(artist)
    sale(fan, artist, release, 1000, fee=59, n=1)  # 791 to the artist, below €10.00

    shown = figures(artist_client)

    assert (shown["balance"], shown["pending"], shown["why"]) == ("€7.91", "€7.91", "minimum")
    assert "payouts start at €10.00" in text(artist_client.get(reverse("payments:earnings")))


def test_a_balance_the_next_payout_takes_is_not_pending(artist_client, fan, artist, release):
    ready(artist)
    sale(fan, artist, release, 2000, fee=88, n=1)  # 1612, above the €10.00 minimum

    shown = figures(artist_client)

    assert (shown["balance"], shown["pending"], shown["why"]) == ("€16.12", "€0.00", "")


def test_a_payout_stripe_has_not_confirmed_is_in_transit_not_paid_out(
    artist_client, fan, artist, release
):
    ready(artist)
    sale(fan, artist, release, 2000, fee=88, n=1)
    payout = payouts.create_payout(artist=artist, currency="eur")  # Stripe not asked yet

    shown = figures(artist_client)

    assert payout.status == Payout.Status.PENDING
    assert shown == {
        "balance": "€0.00", "pending": "€0.00", "in-transit": "€16.12", "paid-out": "€0.00",
        "earned": "€16.12", "why": "",
    }  # fmt: skip
    assert_books_balance(artist)


def test_a_sent_payout_is_paid_out_and_no_longer_in_transit(
    artist_client, fan_client, artist, sandbox, receiver
):
    onboard(sandbox, artist)
    sell(fan_client, receiver, artist, "20.00", token="sale-one-token-000000000")
    [payout] = payouts.run_payouts()
    artist_client.force_login(artist.user)  # one test client: the fan's session was last

    shown = figures(artist_client)

    assert payout.status == Payout.Status.SENT
    assert (shown["balance"], shown["in-transit"], shown["paid-out"]) == (
        "€0.00", "€0.00", "€16.12",
    )  # fmt: skip
    assert_books_balance(artist)


def test_a_failed_payout_is_back_in_the_balance_neither_in_transit_nor_paid(
    artist_client, fan, artist, release
):
    ready(artist)
    sale(fan, artist, release, 2000, fee=88, n=1)
    payout = payouts.create_payout(artist=artist, currency="eur")
    payouts.fail_payout(payout=payout, error="The account cannot receive transfers.")

    shown = figures(artist_client)

    assert (shown["balance"], shown["in-transit"], shown["paid-out"]) == (
        "€16.12", "€0.00", "€0.00",
    )  # fmt: skip
    assert_books_balance(artist)


def test_the_statement_shows_each_payouts_stripe_transfer(
    artist_client, fan_client, artist, sandbox, receiver
):
    onboard(sandbox, artist)
    sell(fan_client, receiver, artist, "20.00", token="sale-one-token-000000000")
    [payout] = payouts.run_payouts()
    artist_client.force_login(artist.user)
    today = payout.created_at

    page = text(artist_client.get(reverse("payments:statement", args=[today.year, today.month])))

    assert payout.stripe_transfer_id.startswith("tr_")
    assert (
        f"Payout Payout {payout.id} to Mira Sol — Stripe transfer {payout.stripe_transfer_id}, sent"
        in page
    )


def test_a_payout_in_transit_says_so_on_its_line(artist_client, fan, artist, release):
    ready(artist)
    sale(fan, artist, release, 2000, fee=88, n=1)
    payout = payouts.create_payout(artist=artist, currency="eur")

    page = text(artist_client.get(reverse("payments:earnings")))

    assert f"Payout {payout.id} to Mira Sol — pending" in page
