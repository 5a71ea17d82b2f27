"""Payouts and clawbacks retried after Stripe has forgotten their idempotency keys (24 hours):
each is looked up at Stripe first, so a late retry never pays or reverses twice."""

import pytest

from payments import ledger, payouts
from payments.models import Clawback, Payout
from payments.stripe_api import stripe_client
from tests.factories import ArtistFactory
from tests.payments.paying_out import deliver, events, onboard, sell
from tests.payments.scenarios import assert_books_balance
from tests.payments.test_payouts import SHARE_20, charge_of, transfers

pytestmark = pytest.mark.usefixtures("payments_settings")


def a_day_passes(sandbox) -> None:
    """Stripe (and the sandbox) forgets idempotency keys older than 24 hours."""
    with sandbox.store.lock:
        for saved in sandbox.store.idempotency.values():
            saved["created"] -= 25 * 3600


def paid_out_by_a_worker_killed_before_recording(
    fan_client, artist, sandbox, receiver, monkeypatch
):
    """A €20.00 sale, then a payout whose worker dies after Stripe made the transfer."""
    onboard(sandbox, artist)
    sell(fan_client, receiver, artist, "20.00", token="sale-one-token-000000000")

    def die(payout, transfer_id):
        raise KeyboardInterrupt("worker killed")

    monkeypatch.setattr(payouts, "_record_sent", die)
    with pytest.raises(KeyboardInterrupt):
        payouts.run_payouts()
    monkeypatch.undo()


def test_a_payout_killed_after_stripe_and_retried_a_day_later_pays_once(
    fan_client, artist, sandbox, receiver, monkeypatch
):
    paid_out_by_a_worker_killed_before_recording(fan_client, artist, sandbox, receiver, monkeypatch)
    a_day_passes(sandbox)
    # other artists' sales keep the platform's Stripe balance funded, as in production
    sell(fan_client, receiver, ArtistFactory(), "20.00", token="sale-two-token-000000000")

    payouts.run_payouts(artist_ids=[artist.id])

    [transfer] = transfers(sandbox, artist)
    payout = Payout.objects.get(artist=artist)
    assert (payout.status, payout.stripe_transfer_id) == ("sent", transfer["id"])
    assert ledger.artist_balance(artist, "eur").amount == 0
    assert_books_balance(artist)


def test_a_made_payout_is_not_marked_failed_when_its_late_retry_is_refused(
    fan_client, artist, sandbox, receiver, monkeypatch
):
    """With nothing else on the platform's balance, a second transfer would be refused for
    insufficient funds: the payout must still be found and recorded as sent, not failed."""
    paid_out_by_a_worker_killed_before_recording(fan_client, artist, sandbox, receiver, monkeypatch)
    a_day_passes(sandbox)

    payouts.run_payouts()

    payout = Payout.objects.get()
    assert (payout.status, payout.error) == ("sent", "")
    assert len(transfers(sandbox, artist)) == 1
    assert ledger.artist_balance(artist, "eur").amount == 0  # not given back as if unpaid
    assert_books_balance(artist)


def test_the_hourly_retry_sends_a_pending_payout_without_starting_new_ones(
    fan_client, artist, sandbox, receiver, monkeypatch
):
    paid_out_by_a_worker_killed_before_recording(fan_client, artist, sandbox, receiver, monkeypatch)
    other = ArtistFactory()
    onboard(sandbox, other)
    sell(fan_client, receiver, other, "20.00", token="sale-two-token-000000000")

    from payments.tasks import retry_pending_payouts

    retry_pending_payouts.delay()

    assert Payout.objects.get(artist=artist).status == "sent"
    assert not Payout.objects.filter(artist=other).exists()  # new payouts wait for the 1st
    assert ledger.artist_balance(other, "eur").amount == SHARE_20


def test_the_retry_of_pending_payouts_is_on_the_beat_every_hour(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["payments-retry-pending-payouts"]
    assert entry["task"] == "payments.retry_pending_payouts"
    assert entry["schedule"].hour == set(range(24))


def refunded_after_payout(fan_client, artist, sandbox, receiver, monkeypatch, amount=None):
    onboard(sandbox, artist)
    paid = sell(fan_client, receiver, artist, "20.00", token="sale-one-token-000000000")
    payouts.run_payouts()
    params = {"charge": charge_of(paid)}
    if amount is not None:
        params["amount"] = amount
    stripe_client().v1.refunds.create(params=params)
    [refunded] = events(receiver, "charge.refunded")
    monkeypatch.setattr(payouts, "_send_later", lambda pk: None)
    deliver(refunded)
    real = payouts._create_reversal

    def killed(clawback):
        real(clawback)
        raise KeyboardInterrupt("worker killed")

    monkeypatch.setattr(payouts, "_create_reversal", killed)
    with pytest.raises(KeyboardInterrupt):
        payouts.send_clawback(clawback_id=Clawback.objects.get().id)
    monkeypatch.undo()
    a_day_passes(sandbox)


@pytest.mark.parametrize("amount", [None, 500], ids=["full refund", "partial refund"])
def test_a_clawback_killed_after_stripe_and_retried_a_day_later_reverses_once(
    fan_client, artist, sandbox, receiver, monkeypatch, amount
):
    refunded_after_payout(fan_client, artist, sandbox, receiver, monkeypatch, amount)

    payouts.run_payouts()

    [transfer] = transfers(sandbox)
    clawback = Clawback.objects.get()
    assert len(transfer["reversals"]["data"]) == 1
    assert transfer["amount_reversed"] == clawback.amount
    assert (clawback.status, clawback.stripe_reversal_id) == (
        "sent",
        transfer["reversals"]["data"][0]["id"],
    )
    assert_books_balance(artist)
