"""Two workers book the same Stripe charge at the same moment, on PostgreSQL, each through its
own connection: both pass the "already booked?" read, and still only one transaction is booked."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from payments import ledger
from payments.models import LedgerAccount, LedgerEntry, LedgerTransaction
from tests.payments.scenarios import assert_books_balance, book_sale
from tests.playlists.test_concurrency import run_in_threads

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent connections"),
]


@pytest.fixture
def both_read_first(monkeypatch):
    """Hold each worker after its "already booked?" read until the other has read too."""
    read = threading.Barrier(2)
    looked_up = ledger._booked

    def booked_then_wait(kind, reference):
        found = looked_up(kind, reference)
        read.wait(timeout=30)
        return found

    monkeypatch.setattr(ledger, "_booked", booked_then_wait)


def test_two_workers_booking_one_charge_at_once_book_it_once(artist, both_read_first):
    booked = []

    def worker():
        booked.append(book_sale(reference="ch_race", price=1000, splits=[(artist, 10_000)]).pk)

    errors = run_in_threads(worker, worker)

    assert errors == []
    assert len(booked) == 2 and booked[0] == booked[1]
    assert LedgerTransaction.objects.count() == 1
    assert LedgerEntry.objects.count() == 4
    assert LedgerAccount.objects.count() == 4  # and each account was opened once
    assert ledger.artist_balance(artist, "eur").amount == 791
    assert_books_balance(artist)


def test_two_workers_booking_one_charge_with_different_amounts_book_one(artist, both_read_first):
    booked = []

    def worker(price):
        def job():
            booked.append(book_sale(reference="ch_race", price=price, splits=[(artist, 10_000)]))

        return job

    errors = run_in_threads(worker(1000), worker(1200))

    assert len(booked) == 1
    assert [type(e) for e in errors] == [ValidationError]
    assert "already booked with other entries" in errors[0].messages[0]
    assert LedgerEntry.objects.count() == 4
    assert_books_balance(artist)
