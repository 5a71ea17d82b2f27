"""The ledger: balanced transactions booked once, sums that stay zero, rows nobody can change."""

from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.db.models import ProtectedError

from payments import ledger
from payments.models import AppendOnlyError, LedgerAccount, LedgerEntry, LedgerTransaction
from payments.money import Money
from tests.factories import ArtistFactory
from tests.payments.scenarios import assert_books_balance, balances, book_sale

Kind = LedgerAccount.Kind
Sale, Refund = LedgerTransaction.Kind.SALE, LedgerTransaction.Kind.REFUND


@pytest.fixture
def band(artist):
    """Three credited collaborators: Mira Sol, Kai and Ode."""
    return [artist, ArtistFactory(name="Kai", slug="kai"), ArtistFactory(name="Ode", slug="ode")]


def thirds(band):
    return list(zip(band, [3333, 3333, 3334], strict=True))


def test_a_one_cent_track_split_three_ways_gives_the_cent_to_the_largest_share(band):
    sale = book_sale(reference="ch_one_cent", price=1, splits=thirds(band), fee=0)

    assert balances() == {
        "customer_payments": -1,
        "processor_fees": 0,
        "platform_revenue": 0,
        "artist:mira-sol": 0,
        "artist:kai": 0,
        "artist:ode": 1,
    }
    # Zero shares are not booked: two lines carry the cent.
    assert sorted(sale.entries.values_list("amount", flat=True)) == [-1, 1]
    assert_books_balance(*band)


def test_a_ten_euro_sale_pays_the_fee_and_the_cut_then_the_artist(artist):
    book_sale(reference="ch_ten", price=1000, splits=[(artist, 10_000)])

    assert balances() == {
        "customer_payments": -1000,
        "processor_fees": 59,  # 2.9 % of 1000 = 29, + 30
        "platform_revenue": 150,  # 15 % of the price
        "artist:mira-sol": 791,
    }
    assert ledger.artist_balance(artist, "eur") == Money(791, "eur")
    assert_books_balance(artist)


def test_a_ten_euro_sale_split_by_awkward_percentages_loses_no_cent(band):
    book_sale(reference="ch_split", price=1000, splits=thirds(band))

    assert [ledger.artist_balance(a, "eur").amount for a in band] == [264, 263, 264]
    assert_books_balance(*band)


def test_a_refund_reverses_the_sale_to_the_cent(band):
    book_sale(reference="ch_kept", price=1, splits=thirds(band), fee=0)
    before = balances()
    sale = book_sale(reference="ch_refunded", price=1000, splits=thirds(band))

    refund = ledger.reverse_transaction(original=sale, kind=Refund, reference="re_1")

    assert refund.kind == Refund
    assert sorted(refund.entries.values_list("amount", flat=True)) == [
        -264, -264, -263, -150, -59, 1000
    ]  # fmt: skip
    assert balances() == before
    assert [ledger.artist_balance(a, "eur").amount for a in band] == [0, 0, 1]
    assert_books_balance(*band)


def test_currencies_are_kept_apart(artist):
    book_sale(reference="ch_eur", price=1000, splits=[(artist, 10_000)])
    book_sale(reference="ch_jpy", price=1500, splits=[(artist, 10_000)], currency="jpy")

    assert ledger.artist_balance(artist, "eur") == Money(791, "eur")
    # ¥1500: fee round(43.5) + 30 = 74, cut 225, artist 1201
    assert ledger.artist_balance(artist, "jpy") == Money(1201, "jpy")
    assert ledger.artist_balance(artist, "usd") == Money(0, "usd")
    assert ledger.ledger_totals() == {"eur": 0, "jpy": 0}
    assert_books_balance(artist, currency="jpy")


def test_posting_the_same_reference_twice_books_it_once(band):
    first = book_sale(reference="ch_twice", price=1000, splits=thirds(band))
    before = balances()

    again = book_sale(reference="ch_twice", price=1000, splits=thirds(band))

    assert again.pk == first.pk
    assert LedgerTransaction.objects.count() == 1
    assert LedgerEntry.objects.count() == 6
    assert balances() == before
    assert_books_balance(*band)


def test_the_same_reference_with_other_amounts_is_refused_and_changes_nothing(artist):
    book_sale(reference="ch_price", price=1000, splits=[(artist, 10_000)])

    with pytest.raises(ValidationError) as caught:
        book_sale(reference="ch_price", price=1200, splits=[(artist, 10_000)])

    assert caught.value.messages == [
        "Sale ch_price is already booked with other entries; book a correction instead."
    ]
    assert LedgerEntry.objects.count() == 4
    assert ledger.artist_balance(artist, "eur") == Money(791, "eur")


def test_the_same_reference_under_another_kind_is_another_booking(artist):
    account = ledger.get_account(kind=Kind.ARTIST_BALANCE, currency="eur", artist=artist)
    revenue = ledger.get_account(kind=Kind.PLATFORM_REVENUE, currency="eur")
    lines = [(revenue, -100), (account, 100)]

    one = ledger.post_transaction(kind="tip", reference="pi_1", entries=lines, currency="eur")
    two = ledger.post_transaction(
        kind="correction", reference="pi_1", entries=lines, currency="eur"
    )

    assert one.pk != two.pk
    assert ledger.artist_balance(artist, "eur") == Money(200, "eur")


def test_a_worker_that_loses_the_race_gets_the_winners_transaction(artist, monkeypatch):
    """Two workers book one charge at once: both read "not booked yet" before either inserts.
    The unique constraint lets the first in; the second returns its transaction."""
    winner = book_sale(reference="ch_race", price=1000, splits=[(artist, 10_000)])
    monkeypatch.setattr(ledger, "_booked", lambda kind, reference: None)

    loser = book_sale(reference="ch_race", price=1000, splits=[(artist, 10_000)])

    assert loser.pk == winner.pk
    assert LedgerEntry.objects.count() == 4
    with pytest.raises(ValidationError, match="already booked with other entries"):
        book_sale(reference="ch_race", price=999, splits=[(artist, 10_000)])


@pytest.fixture
def accounts(artist):
    return {
        "artist": ledger.get_account(kind=Kind.ARTIST_BALANCE, currency="eur", artist=artist),
        "revenue": ledger.get_account(kind=Kind.PLATFORM_REVENUE, currency="eur"),
        "dollars": ledger.get_account(kind=Kind.PLATFORM_REVENUE, currency="usd"),
    }


@pytest.mark.parametrize(
    ("entries", "currency", "message"),
    [
        (
            [("revenue", -100), ("artist", 99)],
            "eur",
            "Entries must sum to zero; these sum to -€0.01.",
        ),
        ([], "eur", "A transaction needs at least one non-zero entry."),
        (
            [("revenue", 0), ("artist", 0)],
            "eur",
            "A transaction needs at least one non-zero entry.",
        ),
        (
            [("revenue", -100), ("dollars", 100)],
            "eur",
            "Platform revenue (USD) is in usd; this transaction is in eur: "
            "one transaction books one currency.",
        ),
        (
            [("revenue", -1.5), ("artist", 1.5)],
            "eur",
            "Entry amounts are whole minor units, not -1.5.",
        ),
        (
            [("revenue", -100), ("artist", 100)],
            "EUR",
            "Unsupported currency 'EUR': use one of eur, usd, gbp, jpy.",
        ),
    ],
)
def test_it_refuses_bad_entries_and_writes_nothing(accounts, entries, currency, message):
    lines = [(accounts[name], amount) for name, amount in entries]

    with pytest.raises(ValidationError) as caught:
        ledger.post_transaction(kind=Sale, reference="ch_bad", entries=lines, currency=currency)

    assert caught.value.messages == [message]
    assert not LedgerTransaction.objects.exists()
    assert not LedgerEntry.objects.exists()


@pytest.mark.parametrize(
    ("kind", "reference", "message"),
    [
        ("gift", "ch_1", "Unknown transaction kind 'gift'."),
        (Sale, "", "A transaction needs a reference of 1 to 255 characters."),
        (Sale, "x" * 256, "A transaction needs a reference of 1 to 255 characters."),
    ],
)
def test_it_refuses_unknown_kinds_and_missing_references(accounts, kind, reference, message):
    lines = [(accounts["revenue"], -100), (accounts["artist"], 100)]

    with pytest.raises(ValidationError) as caught:
        ledger.post_transaction(kind=kind, reference=reference, entries=lines, currency="eur")

    assert caught.value.messages == [message]
    assert not LedgerTransaction.objects.exists()


def test_accounts_are_one_per_kind_artist_and_currency(artist):
    first = ledger.get_account(kind=Kind.ARTIST_BALANCE, currency="eur", artist=artist)

    assert ledger.get_account(kind=Kind.ARTIST_BALANCE, currency="eur", artist=artist) == first
    assert ledger.get_account(kind=Kind.ARTIST_BALANCE, currency="usd", artist=artist) != first
    assert ledger.get_account(kind=Kind.PLATFORM_REVENUE, currency="eur") == (
        ledger.get_account(kind=Kind.PLATFORM_REVENUE, currency="eur")
    )
    assert LedgerAccount.objects.count() == 3
    with pytest.raises(ValueError, match="An artist balance needs its artist"):
        ledger.get_account(kind=Kind.ARTIST_BALANCE, currency="eur")
    with pytest.raises(ValueError, match="An artist balance needs its artist"):
        ledger.get_account(kind=Kind.PLATFORM_REVENUE, currency="eur", artist=artist)


@pytest.fixture
def booked(artist):
    return book_sale(reference="ch_booked", price=1000, splits=[(artist, 10_000)])


def test_entries_and_transactions_cannot_be_changed_or_deleted_through_the_orm(booked, artist):
    entry = booked.entries.get(amount=791)

    entry.amount = 10_000
    with pytest.raises(AppendOnlyError, match="book a correction"):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        LedgerEntry.objects.filter(pk=entry.pk).update(amount=10_000)
    with pytest.raises(AppendOnlyError):
        LedgerEntry.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        LedgerEntry.objects.bulk_update([entry], ["amount"])
    booked.memo = "rewritten"
    with pytest.raises(AppendOnlyError):
        booked.save()
    with pytest.raises(AppendOnlyError):
        LedgerTransaction.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        LedgerTransaction.objects.update(reference="ch_other")
    with pytest.raises(AppendOnlyError):  # an upsert would rewrite the booked row
        LedgerEntry.objects.bulk_create(
            [LedgerEntry(id=entry.pk, transaction=booked, account=entry.account, amount=1)],
            update_conflicts=True,
            unique_fields=["id"],
            update_fields=["amount"],
        )
    account = entry.account
    account.currency = "usd"
    with pytest.raises(AppendOnlyError):
        account.save()
    with pytest.raises(AppendOnlyError):
        LedgerAccount.objects.update(currency="usd")
    with pytest.raises(ProtectedError):  # an artist's money stays on the books
        artist.delete()

    assert ledger.artist_balance(artist, "eur") == Money(791, "eur")
    assert LedgerTransaction.objects.get().memo == "Sale ch_booked"
    assert set(LedgerAccount.objects.values_list("currency", flat=True)) == {"eur"}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE payments_ledgerentry SET amount = amount * 2",
        "DELETE FROM payments_ledgerentry",
        "UPDATE payments_ledgertransaction SET reference = 'ch_other'",
        "DELETE FROM payments_ledgertransaction",
    ],
)
def test_postgresql_refuses_raw_sql_that_changes_the_books(booked, artist, sql):
    with (
        pytest.raises(DatabaseError, match="the ledger is append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)

    assert ledger.artist_balance(artist, "eur") == Money(791, "eur")
    assert LedgerTransaction.objects.get().reference == "ch_booked"


def check_ledger() -> tuple[str, list[str], CommandError | None]:
    """`manage.py check_ledger`: what it printed, its problem lines, and its error if it failed."""
    out, err = StringIO(), StringIO()
    try:
        call_command("check_ledger", stdout=out, stderr=err)
    except CommandError as error:
        return out.getvalue(), err.getvalue().splitlines(), error
    return out.getvalue(), err.getvalue().splitlines(), None


def test_check_ledger_prints_figures_for_a_balanced_ledger(band):
    book_sale(reference="ch_1", price=1000, splits=thirds(band))
    book_sale(reference="ch_2", price=1, splits=thirds(band), fee=0)
    book_sale(reference="ch_3", price=1500, splits=thirds(band), currency="jpy")

    out, problems, error = check_ledger()

    assert (problems, error) == ([], None)
    *figures, verdict = out.splitlines()
    assert figures == [
        "eur: 2 transactions, 8 entries, €10.01 moved, total €0.00",
        "jpy: 1 transactions, 6 entries, ¥1,500 moved, total ¥0",
    ]
    assert verdict.startswith("The ledger balances (checked in ")


def test_check_ledger_says_so_when_the_ledger_is_empty(db):
    out, problems, error = check_ledger()

    assert (problems, error) == ([], None)
    assert out.splitlines()[0] == "The ledger is empty."


def test_check_ledger_fails_with_a_report_when_a_transaction_does_not_sum_to_zero(booked, artist):
    # Rows written around post_transaction (a bad import, a hand-made fix) are what it catches.
    account = ledger.get_account(kind=Kind.ARTIST_BALANCE, currency="eur", artist=artist)
    LedgerEntry.objects.create(transaction=booked, account=account, amount=5, currency="eur")
    dollars = ledger.get_account(kind=Kind.PLATFORM_REVENUE, currency="usd")
    LedgerEntry.objects.create(transaction=booked, account=dollars, amount=-5, currency="eur")
    empty = LedgerTransaction.objects.create(kind=Sale, reference="ch_empty")

    _, problems, error = check_ledger()

    assert error.returncode == 1  # manage.py's exit status
    assert str(error) == "The ledger does not balance: 2 problems (listed above)."
    assert problems == [
        f"Entry {LedgerEntry.objects.get(amount=-5).pk} is in eur but its account is in usd.",
        f"Transaction {empty.pk} has no entries.",
    ]


def test_check_ledger_reports_a_ledger_that_sums_to_something(booked, artist):
    account = ledger.get_account(kind=Kind.ARTIST_BALANCE, currency="eur", artist=artist)
    LedgerEntry.objects.create(transaction=booked, account=account, amount=5, currency="eur")

    out, problems, error = check_ledger()

    assert str(error) == "The ledger does not balance: 2 problems (listed above)."
    assert out.splitlines() == ["eur: 1 transactions, 5 entries, €10.05 moved, total €0.05"]
    assert problems == [
        "The ledger sums to €0.05 in eur, not zero.",
        f"Transaction {booked.pk} (sale ch_booked) sums to €0.05.",
    ]
