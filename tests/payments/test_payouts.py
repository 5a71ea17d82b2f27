"""Payouts: balances to connected accounts once, the minimum carried forward, retries that
never pay twice; refunds, disputes and reversed transfers booked back, each scenario ending
with balanced books."""

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from payments import ledger, payouts
from payments.models import Clawback, LedgerTransaction, Payout
from payments.sandbox.charges import collect_payment
from payments.stripe_api import stripe_client
from tests.factories import ArtistFactory
from tests.payments.paying_out import deliver, events, onboard, sell
from tests.payments.scenarios import assert_books_balance, balances

pytestmark = pytest.mark.usefixtures("payments_settings")

# €20.00: fee 2.9 % + 30 = 88, platform 15 % = 300, artist 1612.
SHARE_20 = 1612


def transfers(sandbox, artist=None) -> list[dict]:
    found = sandbox.store.find("transfer")
    if artist is not None:
        destination = artist.connected_account.stripe_account_id
        found = [t for t in found if t["destination"] == destination]
    return found


def test_a_ready_artist_is_paid_their_balance_once(fan_client, artist, sandbox, receiver):
    onboard(sandbox, artist)
    sell(fan_client, receiver, artist, "20.00", token="sale-one-token-000000000")

    [payout] = payouts.run_payouts()
    assert payouts.run_payouts() == []  # nothing left to pay

    assert (payout.status, payout.amount, payout.currency) == ("sent", SHARE_20, "eur")
    [transfer] = transfers(sandbox)
    assert transfer["id"] == payout.stripe_transfer_id
    assert (transfer["amount"], transfer["destination"]) == (
        SHARE_20,
        artist.connected_account.stripe_account_id,
    )
    assert transfer["metadata"] == {"backstage_payout": str(payout.id), "artist_id": str(artist.id)}
    assert ledger.artist_balance(artist, "eur").amount == 0
    assert balances()["payouts_in_transit"] == SHARE_20
    assert_books_balance(artist)


def test_a_balance_below_the_minimum_is_carried_forward(
    fan_client, artist, sandbox, receiver, settings
):
    settings.PAYOUT_MINIMUM = 2000
    onboard(sandbox, artist)
    sell(fan_client, receiver, artist, "20.00", token="sale-one-token-000000000")

    assert payouts.run_payouts() == []
    assert ledger.artist_balance(artist, "eur").amount == SHARE_20  # kept, not forfeited

    sell(fan_client, receiver, artist, "20.00", token="sale-two-token-000000000")
    [payout] = payouts.run_payouts()
    assert payout.amount == 2 * SHARE_20 == 3224
    assert len(transfers(sandbox)) == 1
    assert_books_balance(artist)


def test_an_artist_not_ready_for_payouts_is_skipped(fan_client, artist, sandbox, receiver):
    onboard(sandbox, artist, complete=False)  # bank account still due
    sell(fan_client, receiver, artist, "20.00", token="sale-one-token-000000000")

    assert payouts.run_payouts() == []
    assert Payout.objects.count() == 0
    assert transfers(sandbox) == []
    assert ledger.artist_balance(artist, "eur").amount == SHARE_20
    assert_books_balance(artist)


def test_stripe_unreachable_leaves_the_payout_pending_and_a_retry_sends_it(
    fan_client, artist, sandbox, receiver, monkeypatch
):
    onboard(sandbox, artist)
    sell(fan_client, receiver, artist, "20.00", token="sale-one-token-000000000")
    real = payouts._create_transfer

    def down(payout):
        raise ConnectionError("stripe is down")

    monkeypatch.setattr(payouts, "_create_transfer", down)
    [payout] = payouts.run_payouts()
    assert (payout.status, payout.attempts) == ("pending", 1)
    assert "stripe is down" in payout.error
    assert ledger.artist_balance(artist, "eur").amount == 0  # in transit, not lost

    monkeypatch.setattr(payouts, "_create_transfer", real)
    [payout] = payouts.run_payouts()
    assert (payout.status, payout.attempts, payout.error) == ("sent", 2, "")
    assert len(transfers(sandbox)) == 1
    assert_books_balance(artist)


def test_a_refused_transfer_fails_the_payout_and_returns_the_money(
    fan_client, artist, sandbox, receiver
):
    onboard(sandbox, artist)
    sell(fan_client, receiver, artist, "20.00", token="sale-one-token-000000000")
    account = sandbox.store.get(artist.connected_account.stripe_account_id, "account")
    account["payouts_enabled"] = False  # Stripe turned them off since we last synced

    [payout] = payouts.run_payouts()
    assert payout.status == "failed"
    assert "capabilities" in payout.error
    assert transfers(sandbox) == []
    assert ledger.artist_balance(artist, "eur").amount == SHARE_20
    assert_books_balance(artist)


class Killed(BaseException):
    """The worker dies: nothing in run_payouts catches this."""


def run_until_done(artist, *, attempts: int) -> None:
    """Run the artist's payouts `attempts` times, as a restarted worker would after each kill."""
    for _ in range(attempts):
        try:
            payouts.run_payouts(artist_ids=[artist.id])
        except Killed:
            continue


KILL_POINTS = ["in_booking", "before_stripe", "after_stripe", "before_recording"]


@hsettings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(kills=st.lists(st.sampled_from(KILL_POINTS), max_size=4))
def test_a_payout_killed_anywhere_and_retried_pays_exactly_once(
    kills, fan_client, sandbox, receiver, monkeypatch
):
    artist = ArtistFactory()
    onboard(sandbox, artist)
    sell(fan_client, receiver, artist, "20.00", token=f"sale-{artist.id}-token-0000000000")
    real_move, real_create, real_record = (
        payouts._move,
        payouts._create_transfer,
        payouts._record_sent,
    )
    plan = list(kills)

    def die_at(point):
        if plan and plan[0] == point:
            plan.pop(0)
            raise Killed(point)

    def move(**kwargs):
        die_at("in_booking") if kwargs["kind"] == "payout" else None
        return real_move(**kwargs)

    def create(payout):
        die_at("before_stripe")
        transfer = real_create(payout)
        die_at("after_stripe")
        return transfer

    def record(payout, transfer_id):
        die_at("before_recording")
        real_record(payout, transfer_id)

    monkeypatch.setattr(payouts, "_move", move)
    monkeypatch.setattr(payouts, "_create_transfer", create)
    monkeypatch.setattr(payouts, "_record_sent", record)
    run_until_done(artist, attempts=len(kills) + 1)
    monkeypatch.undo()

    [payout] = Payout.objects.filter(artist=artist)
    [transfer] = transfers(sandbox, artist)
    assert (payout.status, payout.stripe_transfer_id) == ("sent", transfer["id"])
    assert transfer["amount"] == payout.amount == SHARE_20
    assert ledger.artist_balance(artist, "eur").amount == 0
    assert_books_balance(artist)


def charge_of(event) -> str:
    session = stripe_client().v1.checkout.sessions.retrieve(
        event.data.object.id, params={"expand": ["payment_intent"]}
    )
    return session.payment_intent.latest_charge


def test_a_partial_refund_takes_back_each_share_in_proportion(
    fan_client, artist, sandbox, receiver
):
    paid = sell(fan_client, receiver, artist, "20.00", token="sale-one-token-000000000")
    charge = charge_of(paid)
    stripe_client().v1.refunds.create(params={"charge": charge, "amount": 500})
    stripe_client().v1.refunds.create(params={"charge": charge, "amount": 1500})
    for event in reversed(events(receiver, "charge.refunded", 2) * 3):  # 3 times, out of order
        deliver(event)

    refunds = LedgerTransaction.objects.filter(kind="refund")
    assert refunds.count() == 2
    # 500 of 2000: fee share 22, platform 75, artist 403; the rest makes the sale whole again,
    # except Stripe's fee, which Stripe keeps: the platform bears it, not the artist.
    assert balances() == {
        "customer_payments": 0,
        "processor_fees": 88,
        "platform_revenue": -88,
        "artist:" + artist.slug: 0,
    }
    # Both refunds may fall in one second (booked then in id order): each is its own slice.
    booked = {
        refund.reference: sorted(e.amount for e in refund.entries.all()) for refund in refunds
    }
    by_amount = {r["amount"]: r["id"] for r in sandbox.store.find("refund")}
    assert booked[by_amount[500]] == [-403, -97, 500]  # platform: its cut 75 + the fee's 22
    assert booked[by_amount[1500]] == [-1209, -291, 1500]
    assert_books_balance(artist)


def test_a_refund_after_the_payout_reverses_the_transfer(fan_client, artist, sandbox, receiver):
    onboard(sandbox, artist)
    paid = sell(fan_client, receiver, artist, "20.00", token="sale-one-token-000000000")
    [payout] = payouts.run_payouts()

    stripe_client().v1.refunds.create(params={"charge": charge_of(paid)})
    [refunded] = events(receiver, "charge.refunded")
    for _ in range(3):
        deliver(refunded)
    payouts.run_payouts()  # sends the clawback (a task after commit, in production)

    [clawback] = Clawback.objects.all()
    assert (clawback.payout, clawback.amount, clawback.status) == (payout, SHARE_20, "sent")
    [transfer] = transfers(sandbox)
    assert (transfer["amount_reversed"], transfer["reversed"]) == (SHARE_20, True)
    # Stripe tells us of the reversal we asked for: booked already, nothing more.
    for event in events(receiver, "transfer.reversed") * 3:
        deliver(event)
    assert ledger.artist_balance(artist, "eur").amount == 0
    assert balances()["payouts_in_transit"] == 0
    assert_books_balance(artist)


def test_a_dispute_takes_back_the_sale_and_charges_its_fee_to_the_platform(
    fan_client, artist, sandbox, receiver
):
    paid = sell(fan_client, receiver, artist, "20.00", token="sale-one-token-000000000")
    stripe_client().raw_request("post", f"/v1/test_helpers/charges/{charge_of(paid)}/dispute")
    [disputed] = events(receiver, "charge.dispute.created")
    for _ in range(3):
        deliver(disputed)

    [booked] = LedgerTransaction.objects.filter(kind="dispute")
    assert booked.reference == disputed.data.object.id
    assert balances() == {
        "customer_payments": 0,
        "processor_fees": 1500 + 88,  # the dispute fee, and the sale's fee Stripe keeps
        "platform_revenue": -1500 - 88,  # paid by the platform, not the artist
        "artist:" + artist.slug: 0,
    }
    assert_books_balance(artist)


def test_a_transfer_reversed_on_stripe_puts_the_money_back(fan_client, artist, sandbox, receiver):
    onboard(sandbox, artist)
    sell(fan_client, receiver, artist, "20.00", token="sale-one-token-000000000")
    [payout] = payouts.run_payouts()
    stripe_client().v1.transfers.reversals.create(payout.stripe_transfer_id, params={"amount": 600})
    stripe_client().v1.transfers.reversals.create(payout.stripe_transfer_id)
    reversed_events = events(receiver, "transfer.reversed", 2)
    assert len(reversed_events) == 2

    for event in reversed(reversed_events * 3):  # out of order, three times each
        deliver(event)

    payout.refresh_from_db()
    assert payout.status == "reversed"
    assert ledger.artist_balance(artist, "eur").amount == SHARE_20
    assert LedgerTransaction.objects.filter(kind="payout_reversal").count() == 2
    assert_books_balance(artist)


def test_the_handlers_are_registered_at_startup():
    from payments.webhooks import HANDLERS

    assert HANDLERS["transfer.reversed"] is payouts.on_transfer_reversed
    assert HANDLERS["charge.refunded"] is payouts.on_charge_refunded
    assert HANDLERS["charge.dispute.created"] is payouts.on_dispute_created


def test_a_refund_of_a_payment_not_booked_yet_is_retried_later(
    fan_client, artist, sandbox, receiver
):
    from payments.models import Payment, PriceTag
    from tests.factories import TrackFactory
    from tests.payments.buying import buy, pay

    track = TrackFactory(artist=artist)
    PriceTag.objects.create(track=track, price=1000)
    pay(buy(fan_client, track, "10.00")["Location"])
    intent = stripe_client().v1.payment_intents.retrieve(
        sandbox.store.find("payment_intent")[0]["id"]
    )
    stripe_client().v1.refunds.create(params={"payment_intent": intent.id})
    [refunded] = events(receiver, "charge.refunded")

    with pytest.raises(payouts.NotBookedYet):
        deliver(refunded)
    assert Payment.objects.get().status == "pending"
    assert LedgerTransaction.objects.count() == 0


def test_a_refund_of_a_charge_that_is_not_ours_books_nothing(stripe_client, receiver, sandbox, db):
    with sandbox.store.lock:
        intent = collect_payment(
            sandbox.store, amount=700, currency="eur", description=None, metadata={}
        )
    stripe_client.v1.refunds.create(params={"payment_intent": intent["id"]})
    deliver(events(receiver, "charge.refunded")[0])
    assert LedgerTransaction.objects.count() == 0


def test_a_refund_posted_to_the_webhook_sends_its_clawback_after_commit(
    client, fan_client, artist, sandbox, receiver, django_capture_on_commit_callbacks
):
    """The whole way: signed POST, recorded event, task, handler, clawback task after commit."""
    import json

    onboard(sandbox, artist)
    paid = sell(fan_client, receiver, artist, "20.00", token="sale-one-token-000000000")
    [payout] = payouts.run_payouts()
    stripe_client().v1.refunds.create(params={"charge": charge_of(paid), "amount": 1000})
    receiver.wait_for("charge.refunded")
    [(body, signature)] = [
        (body, signature)
        for body, signature in receiver.received
        if json.loads(body)["type"] == "charge.refunded"
    ]

    for _ in range(3):  # Stripe delivers it three times
        with django_capture_on_commit_callbacks(execute=True):
            answer = client.post(
                "/payments/webhook",
                data=body,
                content_type="application/json",
                headers={"Stripe-Signature": signature},
            )
        assert answer.status_code == 200

    # 1000 of 2000: the artist gives back 806 of the 1612 already paid out.
    [clawback] = Clawback.objects.all()
    assert (clawback.amount, clawback.status) == (806, "sent")
    [transfer] = transfers(sandbox)
    assert transfer["amount_reversed"] == 806
    assert transfer["reversals"]["data"][0]["id"] == clawback.stripe_reversal_id
    assert ledger.artist_balance(artist, "eur").amount == 0
    assert balances()["payouts_in_transit"] == SHARE_20 - 806
    payout.refresh_from_db()
    assert payout.status == "sent"
    assert_books_balance(artist)


def test_a_dispute_after_the_payout_claws_back_the_artists_share(
    fan_client, artist, sandbox, receiver
):
    onboard(sandbox, artist)
    paid = sell(fan_client, receiver, artist, "20.00", token="sale-one-token-000000000")
    payouts.run_payouts()
    stripe_client().raw_request("post", f"/v1/test_helpers/charges/{charge_of(paid)}/dispute")
    for _ in range(3):
        deliver(events(receiver, "charge.dispute.created")[0])
    payouts.run_payouts()

    [clawback] = Clawback.objects.all()
    assert (clawback.amount, clawback.status) == (SHARE_20, "sent")
    assert balances() == {
        "customer_payments": 0,
        "processor_fees": 1500 + 88,
        "platform_revenue": -1500 - 88,
        "payouts_in_transit": 0,
        "artist:" + artist.slug: 0,
    }
    assert_books_balance(artist)


def test_every_webhook_replayed_three_times_out_of_order_ends_the_same(
    fan_client, artist, sandbox, receiver
):
    """Two sales, a payout, Stripe reversing €3.00 of it, then a €10.00 refund of one sale:
    every event of those, delivered three times in reverse order, books what one ordered
    delivery would."""
    onboard(sandbox, artist)
    paid = sell(fan_client, receiver, artist, "20.00", token="sale-one-token-000000000")
    sell(fan_client, receiver, artist, "20.00", token="sale-two-token-000000000")
    [payout] = payouts.run_payouts()
    assert payout.amount == 2 * SHARE_20
    stripe_client().v1.transfers.reversals.create(payout.stripe_transfer_id, params={"amount": 300})
    deliver(events(receiver, "transfer.reversed")[0])  # back to the balance: 300
    stripe_client().v1.refunds.create(params={"charge": charge_of(paid), "amount": 1000})
    kinds = ("checkout.session.completed", "transfer.reversed", "charge.refunded")
    receiver.wait_for("charge.refunded")
    every = [event for kind in kinds for event in events(receiver, kind)]

    for event in reversed(every * 3):
        deliver(event)
    payouts.run_payouts()  # sends the clawback, pays nothing new

    # The refund takes 806 from the artist: 300 on their balance, 506 clawed back.
    [clawback] = Clawback.objects.all()
    assert (clawback.amount, clawback.status) == (506, "sent")
    payout.refresh_from_db()
    assert (payout.status, payout.amount_reversed) == ("sent", 300)
    assert Payout.objects.count() == 1
    assert len(transfers(sandbox)) == 1
    assert transfers(sandbox)[0]["amount_reversed"] == 806
    assert LedgerTransaction.objects.filter(kind="sale").count() == 2
    assert balances() == {
        "customer_payments": -3000,
        "processor_fees": 176,  # Stripe keeps its fee on a refund
        "platform_revenue": 600 - 150 - 44,  # the platform bears the refunded half's fee
        "payouts_in_transit": 2 * SHARE_20 - 806,
        "artist:" + artist.slug: 0,
    }
    assert_books_balance(artist)


@hsettings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(kills=st.lists(st.sampled_from(["before_stripe", "after_stripe"]), max_size=3))
def test_a_clawback_killed_anywhere_and_retried_reverses_exactly_once(
    kills, fan_client, sandbox, receiver, monkeypatch
):
    artist = ArtistFactory()
    onboard(sandbox, artist)
    paid = sell(fan_client, receiver, artist, "20.00", token=f"sale-{artist.id}-token-0000000000")
    with sandbox.store.lock:  # the refunds of earlier examples drew on the platform's balance
        collect_payment(sandbox.store, amount=5000, currency="eur", description=None, metadata={})
    [payout] = payouts.run_payouts(artist_ids=[artist.id])
    refunds_before = len(receiver.events("charge.refunded"))
    stripe_client().v1.refunds.create(params={"charge": charge_of(paid)})
    deliver(events(receiver, "charge.refunded", refunds_before + 1)[-1])
    real = payouts._create_reversal
    plan = list(kills)

    def create(clawback):
        if plan and plan[0] == "before_stripe":
            raise Killed(plan.pop(0))
        reversal = real(clawback)
        if plan and plan[0] == "after_stripe":
            raise Killed(plan.pop(0))
        return reversal

    monkeypatch.setattr(payouts, "_create_reversal", create)
    run_until_done(artist, attempts=len(kills) + 1)
    monkeypatch.undo()

    [clawback] = Clawback.objects.filter(payout=payout)
    [transfer] = transfers(sandbox, artist)
    assert clawback.status == "sent"
    assert [r["id"] for r in transfer["reversals"]["data"]] == [clawback.stripe_reversal_id]
    assert transfer["amount_reversed"] == SHARE_20
    assert ledger.artist_balance(artist, "eur").amount == 0
    assert_books_balance(artist)


def test_a_refund_handler_that_dies_halfway_writes_nothing_and_its_retry_books_once(
    fan_client, artist, sandbox, receiver, monkeypatch
):
    """Killed after booking the refund but before the clawback: all rolled back, the event
    left unprocessed with its error (the admin's "failed" list), then retried whole."""
    import json

    from payments import webhooks

    onboard(sandbox, artist)
    paid = sell(fan_client, receiver, artist, "20.00", token="sale-one-token-000000000")
    payouts.run_payouts()
    stripe_client().v1.refunds.create(params={"charge": charge_of(paid)})
    receiver.wait_for("charge.refunded")
    [(body, signature)] = [
        (body, signature)
        for body, signature in receiver.received
        if json.loads(body)["type"] == "charge.refunded"
    ]
    row, _ = webhooks.receive_event(payload=body.encode(), signature=signature)
    real = payouts._claw_back

    def dies(**kwargs):
        raise RuntimeError("worker lost")

    monkeypatch.setattr(payouts, "_claw_back", dies)
    with pytest.raises(RuntimeError):
        webhooks.process_event(event_row_id=row.id)
    row.refresh_from_db()
    assert (row.processed_at, row.attempts) == (None, 1)
    assert "worker lost" in row.last_error
    assert LedgerTransaction.objects.filter(kind="refund").count() == 0
    assert Clawback.objects.count() == 0

    monkeypatch.setattr(payouts, "_claw_back", real)
    webhooks.process_event(event_row_id=row.id)
    webhooks.process_event(event_row_id=row.id)  # a second delivery of the task: nothing
    payouts.run_payouts()

    assert LedgerTransaction.objects.filter(kind="refund").count() == 1
    [clawback] = Clawback.objects.all()
    assert (clawback.amount, clawback.status) == (SHARE_20, "sent")
    assert len(transfers(sandbox)[0]["reversals"]["data"]) == 1
    assert_books_balance(artist)


def test_a_full_refund_leaves_the_fee_stripe_kept_on_the_books(
    fan_client, artist, sandbox, receiver
):
    """Stripe keeps its processing fee on a refund: processor_fees must still match Stripe's
    balance transactions, the platform bears the fee and the artist ends at zero."""
    paid = sell(fan_client, receiver, artist, "20.00", token="sale-one-token-000000000")
    stripe_client().v1.refunds.create(params={"charge": charge_of(paid)})
    for event in events(receiver, "charge.refunded") * 2:
        deliver(event)

    kept_by_stripe = sum(txn["fee"] for txn in sandbox.store.find("balance_transaction"))
    assert kept_by_stripe == 88
    assert balances() == {
        "customer_payments": 0,
        "processor_fees": kept_by_stripe,
        "platform_revenue": -kept_by_stripe,
        "artist:" + artist.slug: 0,
    }
    assert_books_balance(artist)


def close_dispute(charge: str, evidence: str) -> str:
    """The dispute of `charge` decided in test mode, as Stripe's test evidence texts do."""
    [dispute] = stripe_client().v1.disputes.list(params={"charge": charge}).data
    stripe_client().v1.disputes.update(
        dispute.id, params={"evidence": {"uncategorized_text": evidence}, "submit": True}
    )
    return dispute.id


def test_a_won_dispute_gives_the_artist_their_money_back_once(
    fan_client, artist, sandbox, receiver
):
    onboard(sandbox, artist)
    paid = sell(fan_client, receiver, artist, "20.00", token="sale-one-token-000000000")
    payouts.run_payouts()
    charge = charge_of(paid)
    stripe_client().raw_request("post", f"/v1/test_helpers/charges/{charge}/dispute")
    deliver(events(receiver, "charge.dispute.created")[0])
    payouts.run_payouts()  # the artist's share was paid out: clawed back
    dispute_id = close_dispute(charge, "winning_evidence")
    for event in events(receiver, "charge.dispute.closed") * 3:
        deliver(event)

    won = LedgerTransaction.objects.get(reference=f"{dispute_id}-won")
    assert won.kind == "dispute"
    from payments.models import Payment

    assert Payment.objects.get().status == "paid"  # the fan's purchase unlocks downloads again
    assert ledger.artist_balance(artist, "eur").amount == SHARE_20  # paid again next run
    kept_by_stripe = sum(txn["fee"] for txn in sandbox.store.find("balance_transaction"))
    assert balances() == {
        "customer_payments": -2000,
        "processor_fees": kept_by_stripe,  # 88 for the sale, 1500 for the dispute
        "platform_revenue": 300 - 1500,  # its cut, less the dispute fee it bears
        "payouts_in_transit": 0,
        "artist:" + artist.slug: SHARE_20,
    }
    assert_books_balance(artist)


def test_a_lost_dispute_books_nothing_more_when_it_closes(fan_client, artist, sandbox, receiver):
    paid = sell(fan_client, receiver, artist, "20.00", token="sale-one-token-000000000")
    charge = charge_of(paid)
    stripe_client().raw_request("post", f"/v1/test_helpers/charges/{charge}/dispute")
    deliver(events(receiver, "charge.dispute.created")[0])
    before = balances()
    close_dispute(charge, "losing_evidence")
    deliver(events(receiver, "charge.dispute.closed")[0])

    assert balances() == before
    assert LedgerTransaction.objects.filter(kind="dispute").count() == 1
    assert_books_balance(artist)
