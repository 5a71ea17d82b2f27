"""Fault injection for webhook processing as a whole (Hypothesis).

A story makes real, signed sandbox events: an artist finishes onboarding (account.updated), a
fan buys a track for €20.00 and tips €5.00 (two checkout.session.completed), €5.00 of the sale
is refunded (charge.refunded) and the tip is disputed (charge.dispute.created). Every event is
then delivered three times, in an order Hypothesis picks, through the real path — the signed
body to `receive_event`, its task to `process_event` — while the worker is killed (an exception
nothing catches) at points Hypothesis picks between "event recorded" and "processed": the
task lost before it is queued, before the handler, after a ledger booking, after the handler,
after the commit but before the task is acknowledged. A killed or failing task is delivered
again, as Celery's acks_late and retries do; a lost one is found by the sweep. However it went,
the end is the same state, the ledger balances, and nothing is booked twice.
"""

import json
import random
import time

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from payments import connect, ledger, tasks, webhooks
from payments.models import (
    ConnectedAccount,
    LedgerTransaction,
    Payment,
    PriceTag,
    Purchase,
    WebhookEvent,
)
from payments.sandbox.accounts import finish_onboarding
from payments.stripe_api import stripe_client
from tests.factories import ArtistFactory, TrackFactory, UserFactory
from tests.payments.buying import buy, pay, tip

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("payments_settings")]

KILL_POINTS = ["task_lost", "before_handler", "after_booking", "after_handler", "before_ack"]
STORY_TYPES = [
    "account.updated",
    "checkout.session.completed",
    "checkout.session.completed",
    "charge.refunded",
    "charge.dispute.created",
]
# The sale: fee 88, cut 300, artist 1612; the tip: fee 45, cut 75, artist 380. The €5.00 refund
# takes back 403 of the artist's part; the dispute the tip's 380 (and its €15.00 fee is the
# platform's). The partly refunded sale stays paid; the disputed tip is marked so.
EXPECTED = {
    "payouts_ready": True,
    "payments": ["disputed", "paid"],
    "purchases": 1,
    "booked": ["dispute", "refund", "sale", "tip"],
    "artist_balance": 1612 + 380 - 403 - 380,
    "unprocessed": 0,
}


class Killed(BaseException):
    """The worker dies: nothing in the webhook code catches this."""


def story(client, sandbox, receiver, n: int) -> list[tuple[str, str]]:
    """Make the story's events on the sandbox; their signed (body, signature), as sent."""
    before = len(receiver.received)
    artist = ArtistFactory(name=f"Mira {n}", slug=f"mira-{n}")
    account = connect.ensure_connected_account(artist=artist)
    with sandbox.store.lock:
        finish_onboarding(sandbox.webhooks, account_id=account.stripe_account_id, complete=True)
    track = TrackFactory(artist=artist)
    PriceTag.objects.create(track=track, price=500)
    client.force_login(UserFactory(username=f"fan-{n}", email=f"fan-{n}@example.com"))
    for answer in (
        buy(client, track, "20.00", token=f"fault-sale-{n}-0123456789"),
        tip(client, artist, "5.00", message="<b>more!</b>", token=f"fault-tip-{n}-0123456789"),
    ):
        assert answer.status_code == 303, answer.content.decode()
        pay(answer["Location"])
    sale, tipped = (
        stripe_client()
        .v1.checkout.sessions.retrieve(
            payment.checkout_session_id, params={"expand": ["payment_intent"]}
        )
        .payment_intent.latest_charge
        for payment in Payment.objects.filter(artist=artist).order_by("kind")  # sale, tip
    )
    stripe_client().v1.refunds.create(params={"charge": sale, "amount": 500})
    stripe_client().raw_request("post", f"/v1/test_helpers/charges/{tipped}/dispute")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:  # the sandbox sends from a thread of its own
        mine = list(receiver.received)[before:]
        types = [json.loads(body)["type"] for body, _ in mine]
        if all(types.count(t) >= STORY_TYPES.count(t) for t in STORY_TYPES):
            return mine
        time.sleep(0.02)
    raise AssertionError(f"the story's events did not all arrive: {types}")


def final_state(artist) -> dict:
    references = LedgerTransaction.objects.filter(entries__account__artist=artist).distinct()
    return {
        "payouts_ready": ConnectedAccount.objects.get(artist=artist).payouts_ready,
        "payments": sorted(Payment.objects.filter(artist=artist).values_list("status", flat=True)),
        "purchases": Purchase.objects.filter(payment__artist=artist).count(),
        "booked": sorted(references.values_list("kind", flat=True)),
        "artist_balance": ledger.artist_balance(artist, "eur").amount,
        "unprocessed": WebhookEvent.objects.filter(processed_at__isnull=True).count(),
    }


class Worker:
    """Celery as far as these tasks see it: a queue, redelivery of killed tasks (acks_late),
    retries of failing ones, and the sweep for tasks that were never queued."""

    def __init__(self, plan: list[str], capture) -> None:
        self.plan, self.capture, self.queue, self.kills = plan, capture, [], 0

    def die_at(self, point: str) -> None:
        if self.plan and self.plan[0] == point:
            self.plan.pop(0)
            self.kills += 1
            raise Killed(point)

    def delay(self, event_row_id: int) -> None:
        try:
            self.die_at("task_lost")  # receive_event committed the row; the queueing is lost
        except Killed:
            return
        self.queue.append(event_row_id)

    def receive(self, body: str, signature: str) -> None:
        with self.capture(execute=True):  # receive_event queues the task after commit
            webhooks.receive_event(payload=body.encode(), signature=signature)

    def run(self, row_id: int) -> None:
        try:
            webhooks.process_event(event_row_id=row_id)
            self.die_at("before_ack")  # committed, but the task is not acknowledged
        except (Killed, Exception):  # redelivered (acks_late) or retried, as Celery does
            self.queue.append(row_id)

    def catch_up(self) -> None:
        """One pass over what is queued now (events yet to arrive may be missing)."""
        for _ in range(len(self.queue)):
            self.run(self.queue.pop(0))

    def drain(self) -> None:
        """Everything has arrived: work until nothing is left, the sweep included."""
        for turn in range(1000):
            if not self.queue or turn % 10 == 9:  # beat runs the sweep now and then
                with self.capture(execute=True):
                    swept = webhooks.sweep_failed_events()
                if not (self.queue or swept):
                    return
                continue
            self.run(self.queue.pop(0))
        raise AssertionError(f"the queue never drained: {self.queue}")


@hsettings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    kills=st.lists(st.sampled_from(KILL_POINTS), max_size=10),
    seed=st.integers(min_value=0, max_value=2**32),
)
def test_webhooks_killed_anywhere_replayed_and_shuffled_end_in_the_same_state(
    kills,
    seed: int,
    client,
    sandbox,
    receiver,
    settings,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    settings.WEBHOOK_SWEEP_BACKOFF = 0  # the sweep finds a lost task at once
    settings.WEBHOOK_SWEEP_LIMIT = 1000
    n = ArtistFactory._meta.model.objects.count()
    events = story(client, sandbox, receiver, n)
    artist = ArtistFactory._meta.model.objects.get(slug=f"mira-{n}")
    chance = random.Random(seed)
    deliveries = sorted(events) * 3
    chance.shuffle(deliveries)
    worker = Worker(list(kills), django_capture_on_commit_callbacks)

    def killable(handler):
        def handle(event):
            worker.die_at("before_handler")
            handler(event)
            worker.die_at("after_handler")  # inside process_event's transaction: rolled back

        return handle

    real_post = ledger.post_transaction

    def post_transaction(**kwargs):
        booked = real_post(**kwargs)
        worker.die_at("after_booking")
        return booked

    for type, handler in list(webhooks.HANDLERS.items()):
        monkeypatch.setitem(webhooks.HANDLERS, type, killable(handler))
    monkeypatch.setattr(ledger, "post_transaction", post_transaction)
    monkeypatch.setattr(tasks.process_webhook_event, "delay", worker.delay)
    for body, signature in deliveries:
        worker.receive(body, signature)
        if chance.random() < 0.5:  # the worker keeps up, or falls behind and catches up later
            worker.catch_up()
    worker.drain()
    monkeypatch.undo()

    assert final_state(artist) == EXPECTED
    event_ids = {json.loads(body)["id"] for body, _ in events}
    assert WebhookEvent.objects.filter(stripe_id__in=event_ids).count() == len(event_ids)
    assert all(total == 0 for total in ledger.ledger_totals().values())
    assert ledger.audit_ledger().problems == []
