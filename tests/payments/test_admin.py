"""The ledger in the admin: staff can look at every booking, nobody can add, edit or delete."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from payments import ledger
from payments.models import LedgerAccount, LedgerEntry, LedgerTransaction
from tests.payments.scenarios import book_sale


@pytest.fixture
def sale(artist):
    return book_sale(reference="ch_admin_sale", price=1000, splits=[(artist, 10_000)])


@pytest.fixture
def refund(sale):
    return ledger.reverse_transaction(
        original=sale, kind=LedgerTransaction.Kind.REFUND, reference="re_admin_refund"
    )


def test_staff_see_a_transaction_with_its_entries(staff_client, sale):
    page = staff_client.get(reverse("admin:payments_ledgertransaction_change", args=[sale.pk]))

    assert page.status_code == 200
    for shown in (
        "ch_admin_sale",
        "-€10.00",
        "€0.59",
        "€1.50",
        "€7.91",
        "Artist balance of Mira Sol",
    ):
        assert shown in page.text
    assert 'name="_save"' not in page.text  # a view, not a form


def test_the_transaction_list_filters_by_kind_and_finds_a_reference(staff_client, refund):
    url = reverse("admin:payments_ledgertransaction_changelist")

    refunds = staff_client.get(url, {"kind__exact": "refund"})
    found = staff_client.get(url, {"q": "ch_admin"})
    missing = staff_client.get(url, {"q": "ch_nothing"})

    assert "re_admin_refund" in refunds.text and "ch_admin_sale" not in refunds.text
    assert "ch_admin_sale" in found.text and "re_admin_refund" not in found.text
    assert "0 ledger transactions" in missing.text
    assert "€10.00" in found.text  # what the sale moved


def test_the_account_list_shows_balances(staff_client, refund, artist):
    book_sale(reference="ch_second", price=1000, splits=[(artist, 10_000)])

    page = staff_client.get(reverse("admin:payments_ledgeraccount_changelist"))

    assert page.status_code == 200
    for shown in ("Artist balance of Mira Sol (EUR)", "€7.91", "€1.50", "€0.59", "-€10.00"):
        assert shown in page.text


def test_a_memo_is_shown_as_text(staff_client, artist):
    revenue = ledger.get_account(kind=LedgerAccount.Kind.PLATFORM_REVENUE, currency="eur")
    balance = ledger.get_account(
        kind=LedgerAccount.Kind.ARTIST_BALANCE, currency="eur", artist=artist
    )
    booked = ledger.post_transaction(
        kind="correction",
        reference="fix-1",
        memo="<script>alert(1)</script>",
        entries=[(revenue, -5), (balance, 5)],
        currency="eur",
    )

    for url in (
        reverse("admin:payments_ledgertransaction_changelist"),
        reverse("admin:payments_ledgertransaction_change", args=[booked.pk]),
    ):
        page = staff_client.get(url)
        assert "<script>alert(1)</script>" not in page.text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text


def test_nobody_can_add_change_or_delete_not_even_a_superuser(staff_client, admin_user, sale):
    assert admin_user.is_superuser
    entry = sale.entries.get(amount=791)
    account = entry.account
    refused = [
        ("get", reverse("admin:payments_ledgertransaction_add"), {}),
        ("get", reverse("admin:payments_ledgeraccount_add"), {}),
        ("get", reverse("admin:payments_ledgertransaction_delete", args=[sale.pk]), {}),
        (
            "post",
            reverse("admin:payments_ledgertransaction_delete", args=[sale.pk]),
            {"post": "yes"},
        ),
        (
            "post",
            reverse("admin:payments_ledgeraccount_delete", args=[account.pk]),
            {"post": "yes"},
        ),
        (
            "post",
            reverse("admin:payments_ledgertransaction_change", args=[sale.pk]),
            {"kind": "sale", "reference": "ch_rewritten", "memo": "", "entries-TOTAL_FORMS": "0"},
        ),
        (
            "post",
            reverse("admin:payments_ledgeraccount_change", args=[account.pk]),
            {"kind": "platform_revenue", "currency": "usd"},
        ),
    ]

    for method, url, data in refused:
        assert getattr(staff_client, method)(url, data).status_code == 403, url
    changelist = staff_client.get(reverse("admin:payments_ledgertransaction_changelist"))
    assert "delete_selected" not in changelist.text
    assert LedgerTransaction.objects.get().reference == "ch_admin_sale"
    assert LedgerEntry.objects.count() == 4
    assert ledger.artist_balance(entry.account.artist, "eur").amount == 791


@pytest.mark.parametrize(
    "name",
    ["admin:payments_ledgertransaction_changelist", "admin:payments_ledgeraccount_changelist"],
)
def test_the_lists_take_the_same_queries_for_two_rows_or_twenty(staff_client, artist, name):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert staff_client.get(reverse(name)).status_code == 200
        return len(captured)

    book_sale(reference="ch_0", price=1000, splits=[(artist, 10_000)])
    few = queries()
    for n in range(1, 20):
        book_sale(reference=f"ch_{n}", price=1000 + n, splits=[(artist, 10_000)], currency="usd")
    many = queries()

    assert many == few
