"""Supporter money booked after its month was distributed (an invoice.paid retried for hours)
goes out with the month's next run; a refunded supporter payment is taken back from the pool."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from payments import ledger
from payments.distribution import distribute_month
from payments.models import LedgerAccount, LedgerTransaction, SupporterAllocation, SupporterMonth
from payments.stripe_api import stripe_client
from tests.factories import ArtistFactory, TrackFactory, UserFactory
from tests.payments.buying import deliver, pay
from tests.payments.test_supporters import (
    ENGINES,
    NOV,
    assert_books_balance,
    balances,
    fund,
    plays,
    signed_events,
)

pytestmark = pytest.mark.django_db


def pool(currency="eur") -> int:
    account = ledger.get_account(kind=LedgerAccount.Kind.SUPPORTER_POOL, currency=currency)
    return ledger.balance(account).amount


@ENGINES
def test_money_booked_after_the_month_was_distributed_goes_out_with_its_next_run(engine):
    track = TrackFactory(artist=ArtistFactory())
    early, late = UserFactory.create_batch(2)
    fund(early, 405)
    plays(f"u:{early.id}", track, 3)
    plays(f"u:{late.id}", track, 2)
    distribute_month(month=NOV, engine=engine)
    fund(late, 405)  # its invoice.paid was processed after the run

    second = distribute_month(month=NOV, engine=engine)

    assert (second.supporters, second.moved) == (1, {"eur": 405})
    assert pool() == 0
    assert balances(track.artist) == [810]
    assert (
        LedgerTransaction.objects.filter(
            kind="distribution", reference__in=["distribution-2026-11", "distribution-2026-11-run2"]
        ).count()
        == 2
    )
    assert set(SupporterMonth.objects.values_list("run", flat=True)) == {1, 2}
    assert distribute_month(month=NOV, engine=engine).already_done  # a third run: nothing
    assert SupporterAllocation.objects.count() == 2
    assert_books_balance()


@ENGINES
def test_a_fan_paying_twice_in_a_month_gets_a_row_per_run(engine):
    track = TrackFactory(artist=ArtistFactory())
    fan = UserFactory()
    fund(fan, 405)
    plays(f"u:{fan.id}", track, 1)
    distribute_month(month=NOV, engine=engine)
    fund(fan, 100)

    distribute_month(month=NOV, engine=engine)

    rows = SupporterAllocation.objects.filter(fan=fan).order_by("run")
    assert [(row.run, row.pool) for row in rows] == [(1, 405), (2, 100)]
    assert pool() == 0
    assert_books_balance()


def subscribe_and_pay(fan_client, receiver) -> None:
    """The fan subscribes and pays; the invoice.paid is booked (€4.05 to the pool)."""
    pay(fan_client.post(reverse("supporters:subscribe"))["Location"])
    receiver.wait_for("invoice.paid")
    for event in signed_events(receiver, "invoice.paid"):
        deliver(event)


def refund_the_charge(embedded, receiver, times: int = 1) -> None:
    [charge] = embedded.store.find("charge")
    stripe_client().v1.refunds.create(params={"charge": charge["id"]})
    receiver.wait_for("charge.refunded")
    for event in signed_events(receiver, "charge.refunded") * times:
        deliver(event)


def test_a_refunded_supporter_payment_is_taken_back_from_the_pool(
    fan_client, fan, embedded, receiver, payments_settings
):
    subscribe_and_pay(fan_client, receiver)
    assert pool() == 405
    refund_the_charge(embedded, receiver, times=3)

    assert pool() == 0
    assert SupporterMonth.objects.get().pool == 0  # nothing left for the distribution
    refund = LedgerTransaction.objects.get(kind="refund")
    amounts = dict(refund.entries.values_list("account__kind", "amount"))
    # Stripe keeps its 45 c fee; the platform gives back its cut and bears the fee
    assert amounts == {"customer_payments": 500, "platform_revenue": -95, "supporter_pool": -405}
    assert_books_balance()


def test_a_refund_after_the_distribution_is_borne_by_the_platform(
    fan_client, fan, embedded, receiver, payments_settings
):
    subscribe_and_pay(fan_client, receiver)
    artist = ArtistFactory()
    month = SupporterMonth.objects.get().month
    plays(f"u:{fan.id}", TrackFactory(artist=artist), 1, at=_in(month))
    distribute_month(month=month)
    refund_the_charge(embedded, receiver)

    assert pool() == 0  # not below zero: the artist keeps what the fan's plays earned
    assert balances(artist) == [405]
    refund = LedgerTransaction.objects.get(kind="refund")
    amounts = dict(refund.entries.values_list("account__kind", "amount"))
    assert amounts == {"customer_payments": 500, "platform_revenue": -500}
    assert_books_balance()


def _in(month: date):
    from datetime import UTC, datetime

    return datetime(month.year, month.month, 2, tzinfo=UTC)


def test_the_daily_task_shares_late_money_of_every_ended_month_but_not_this_ones():
    from payments.distribution import last_month
    from payments.tasks import distribute_supporters

    ended = last_month()
    track = TrackFactory(artist=ArtistFactory())
    fan = UserFactory()
    fund(fan, 405, month=ended)
    plays(f"u:{fan.id}", track, 1, at=_in(ended))
    distribute_month(month=ended)
    fund(fan, 100, month=ended)  # late money of the ended month
    this_month = timezone.now().date().replace(day=1)
    fund(fan, 300, month=this_month)  # not ended yet: waits

    distribute_supporters.delay()

    assert balances(track.artist) == [505]
    assert SupporterMonth.objects.get(month=this_month).run is None
    assert pool() == 300
    assert_books_balance()
