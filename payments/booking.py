"""Booking a paid Checkout Session: the Payment marked paid, one ledger transaction, a Purchase.

Runs from the checkout.session.completed webhook, which may arrive late, twice, or three times
at once: everything is re-fetched from Stripe (never the event's snapshot) and written once.
"""

import logging

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from . import ledger
from .models import LedgerAccount, LedgerTransaction, Payment, Purchase
from .money import Money
from .splits import share_out
from .stripe_api import stripe_client
from .webhooks import register

log = logging.getLogger(__name__)

EXPAND = ["payment_intent.latest_charge.balance_transaction"]


class FeeNotKnownYet(Exception):
    """The charge has no balance transaction yet: booking is retried later."""


def split_payment(*, amount: int, fee: int) -> tuple[int, int]:
    """(platform cut, artist's share) of a payment of `amount` that cost `fee`: the cut is
    PLATFORM_CUT_BASIS_POINTS of the amount rounded down; the artist gets the rest."""
    cut = amount * settings.PLATFORM_CUT_BASIS_POINTS // 10_000
    return cut, amount - fee - cut


@register("checkout.session.completed")
def on_checkout_session_completed(event) -> None:
    book_checkout_session(session_id=event.data.object.id)


def book_checkout_session(*, session_id: str) -> Payment | None:
    """Book the session if it is one of our paid purchases or tips (else do nothing)."""
    session = stripe_client().v1.checkout.sessions.retrieve(session_id, params={"expand": EXPAND})
    payment_id = (session.metadata.to_dict() if session.metadata else {}).get(
        "backstage_payment", ""
    )
    if session.mode == "subscription":
        from .supporters import activate_plan

        activate_plan(session=session)
        return None
    if session.mode != "payment" or session.payment_status != "paid" or not payment_id.isdigit():
        return None  # not paid yet, or not ours
    intent = session.payment_intent
    balance_transaction = intent.latest_charge.balance_transaction
    if balance_transaction is None:
        # Stripe has not settled the fee yet: fail, so the webhook task retries later.
        raise FeeNotKnownYet(f"{intent.id} has no balance transaction yet")
    fee = balance_transaction.fee
    with transaction.atomic():
        # Locked: two deliveries of this event at once must not both create the Purchase.
        payment = Payment.objects.select_for_update().filter(id=int(payment_id)).first()
        if payment is None:
            log.warning("Checkout session %s names unknown payment %s", session.id, payment_id)
            return None
        if (payment.amount, payment.currency) != (session.amount_total, session.currency):
            log.error("Checkout session %s does not match payment %s", session.id, payment.id)
            return None
        _post(payment=payment, intent_id=intent.id, fee=fee)
        if payment.status == Payment.Status.PENDING:  # a replay after a refund changes nothing
            if payment.kind == Payment.Kind.TIP:
                _tell_artist_of_tip(payment)  # once: only the delivery that marks it paid
            payment.status = Payment.Status.PAID
            payment.paid_at = timezone.now()
            payment.payment_intent_id = intent.id
            payment.checkout_session_id = session.id
            payment.fee = fee
            payment.save(
                update_fields=[
                    "status",
                    "paid_at",
                    "payment_intent_id",
                    "checkout_session_id",
                    "fee",
                ]
            )
        if payment.kind == Payment.Kind.SALE and (payment.track_id or payment.release_id):
            Purchase.objects.get_or_create(
                payment=payment,
                defaults={
                    "fan_id": payment.fan_id,
                    "track_id": payment.track_id,
                    "release_id": payment.release_id,
                },
            )
    return payment


def _tell_artist_of_tip(payment: Payment) -> None:
    """Notify the artist (in the app, and by e-mail after commit) of a tip and its message."""
    from notifications.services import notify

    text = f"{payment.fan.name} tipped you {Money(payment.amount, payment.currency)}."
    if payment.message:
        text += f" Their message: “{payment.message}”"
    notify(
        user=payment.artist.user,
        kind="payments.tip",
        text=text,
        url=reverse("payments:earnings"),
        email=True,
    )


def take_back_payment(*, payment_intent_id: str, disputed: bool) -> None:
    """A paid payment fully refunded or disputed: marked so, its purchase no longer unlocks
    downloads (payments/downloads.py). Called inside the refund's or dispute's booking."""
    Payment.objects.filter(payment_intent_id=payment_intent_id, status=Payment.Status.PAID).update(
        status=Payment.Status.DISPUTED if disputed else Payment.Status.REFUNDED
    )


def reinstate_payment(*, payment_intent_id: str) -> None:
    """A dispute won: the payment is paid again and its purchase unlocks downloads again."""
    Payment.objects.filter(
        payment_intent_id=payment_intent_id, status=Payment.Status.DISPUTED
    ).update(status=Payment.Status.PAID)


def _post(*, payment: Payment, intent_id: str, fee: int) -> LedgerTransaction:
    currency = payment.currency
    cut, share = split_payment(amount=payment.amount, fee=fee)

    def account(kind, artist=None):
        return ledger.get_account(kind=kind, currency=currency, artist=artist)

    return ledger.post_transaction(
        kind=payment.kind,  # "sale" or "tip": the ledger's kinds of the same name
        reference=intent_id,
        memo=f"{payment.get_kind_display()} {payment.id} to {payment.artist}",
        currency=currency,
        entries=[
            (account(LedgerAccount.Kind.CUSTOMER_PAYMENTS), -payment.amount),
            (account(LedgerAccount.Kind.PROCESSOR_FEES), fee),
            (account(LedgerAccount.Kind.PLATFORM_REVENUE), cut),
            *(  # the artist's share, divided among the work's splits (payments/splits.py)
                (account(LedgerAccount.Kind.ARTIST_BALANCE, artist), part)
                for artist, part in share_out(payment=payment, share=share)
            ),
        ],
    )
