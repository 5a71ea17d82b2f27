"""The supporter plan: a fan subscribes monthly through Stripe Checkout (mode subscription);
each paid invoice is booked once into the supporter pool, tagged with the fan and the month.

The Subscription row is written pending first; its id is the Checkout Session's idempotency key
and travels in the subscription's metadata, so invoice.paid (which may arrive before
checkout.session.completed, late, or three times) finds the fan from the invoice alone. Every
handler re-fetches the invoice or session from Stripe. payments/distribution.py shares the
pool out monthly.
"""

import logging
import time
from datetime import UTC, date, datetime

import stripe
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse

from backstage.models import User

from . import ledger
from .booking import FeeNotKnownYet
from .checkout import CheckoutUnavailable, create_checkout_session
from .models import LedgerAccount, LedgerTransaction, Subscription, SupporterMonth
from .stripe_api import stripe_client
from .webhooks import register

log = logging.getLogger(__name__)

# An open Checkout Session is sent to again for a day (Stripe expires them after 24 hours).
SESSION_REUSE = 24 * 3600
ENDED_STATUSES = {"canceled", "incomplete_expired", "unpaid"}

METADATA_KEY = "backstage_subscription"


def split_supporter_payment(*, amount: int, fee: int) -> tuple[int, int]:
    """(platform cut, pool) of a month's `amount` that cost `fee`: the cut is
    SUPPORTER_CUT_BASIS_POINTS of the amount rounded down; the pool gets the rest."""
    cut = amount * settings.SUPPORTER_CUT_BASIS_POINTS // 10_000
    return cut, amount - fee - cut


def plan_of(fan: User) -> Subscription | None:
    return Subscription.objects.filter(fan=fan).first()


def start_plan(*, fan: User) -> Subscription:
    """The fan's plan with a Checkout Session to pay it (made now, or by an earlier press of
    Subscribe while it is open and less than a day old). An expired session, one older than a
    day (expired now, so it cannot be paid beside the new one) or an ended plan gets a new
    session under a new idempotency key. A plan whose session is paid but not booked yet comes
    back without a URL to send the fan to. Raises CheckoutUnavailable if Stripe fails (the row
    stays pending; pressing again retries with the same idempotency key)."""
    try:
        with transaction.atomic():  # a double click: one row gets in, the other reads it
            plan, _ = Subscription.objects.get_or_create(
                fan=fan,
                defaults={
                    "amount": settings.SUPPORTER_PRICE,
                    "currency": settings.PAYMENTS_CURRENCY,
                },
            )
    except IntegrityError:
        plan = Subscription.objects.get(fan=fan)
    if plan.status == Subscription.Status.ENDED:
        _new_attempt(plan, status=Subscription.Status.ENDED)
    elif plan.status == Subscription.Status.PENDING and plan.checkout_session_id:
        session = _stripe(lambda c: c.v1.checkout.sessions.retrieve(plan.checkout_session_id))
        if session.status == "complete":
            plan.checkout_url = ""  # paid: the webhook will make it active
            return plan
        if session.status == "open" and time.time() - session.created >= SESSION_REUSE:
            _stripe(lambda c: c.v1.checkout.sessions.expire(session.id))
        elif session.status == "open":
            return plan
        _new_attempt(plan, status=Subscription.Status.PENDING)
    if plan.status == Subscription.Status.PENDING and not plan.checkout_url:
        session = _create_session(plan=plan, fan=fan)
        Subscription.objects.filter(id=plan.id, checkout_attempt=plan.checkout_attempt).update(
            checkout_session_id=session.id, checkout_url=session.url
        )
        plan.checkout_session_id, plan.checkout_url = session.id, session.url
    return plan


def _new_attempt(plan: Subscription, *, status: str) -> None:
    """Make the plan pending with no session, under the next attempt's key. Two presses at once
    both get here: the conditional update lets one move the attempt on; the other re-reads the
    row and asks for the same (new) session with the same key."""
    Subscription.objects.filter(
        id=plan.id, status=status, checkout_attempt=plan.checkout_attempt
    ).update(
        status=Subscription.Status.PENDING,
        checkout_attempt=F("checkout_attempt") + 1,
        checkout_session_id="",
        checkout_url="",
        stripe_subscription_id=None,  # the old one's late events find no plan
        cancel_at_period_end=False,
        ends_at=None,
        ended_at=None,
    )
    plan.refresh_from_db()


def _stripe(call):
    try:
        return call(stripe_client())
    except stripe.StripeError as error:
        raise CheckoutUnavailable(str(error)) from error


def cancel_plan(*, fan: User) -> Subscription | None:
    """Cancel the fan's active plan at the end of the month paid for (Stripe's
    cancel_at_period_end): nothing more is charged, the plan stays active until Stripe ends it
    (customer.subscription.deleted). None when there is no active plan. CheckoutUnavailable if
    Stripe fails (nothing changed here; pressing again retries with the same key)."""
    plan = plan_of(fan)
    if plan is None or plan.status != Subscription.Status.ACTIVE:
        return None
    if not plan.cancel_at_period_end:
        subscription = _stripe(
            lambda c: c.v1.subscriptions.update(
                plan.stripe_subscription_id,
                params={"cancel_at_period_end": True},
                options={"idempotency_key": plan.cancel_key},
            )
        )
        _record(plan_id=plan.id, subscription=subscription)
        plan.refresh_from_db()
    return plan


@register("customer.subscription.updated")
@register("customer.subscription.deleted")
def on_subscription_changed(event) -> None:
    sync_subscription(subscription_id=event.data.object.id)


def sync_subscription(*, subscription_id: str) -> Subscription | None:
    """Bring our plan in line with the Stripe subscription, re-fetched: cancelled at period end
    (and when it ends), or ended. The subscription of an earlier plan of the fan (their plan has
    a new one since) changes nothing."""
    subscription = stripe_client().v1.subscriptions.retrieve(subscription_id)
    plan_id = _plan_id(subscription.metadata)
    if plan_id is None:
        return None  # not a supporter plan
    return _record(plan_id=plan_id, subscription=subscription)


def _record(*, plan_id: int, subscription) -> Subscription | None:
    with transaction.atomic():
        # Locked: the updated and deleted events of one subscription may run at once.
        plan = (
            Subscription.objects.select_for_update()
            .filter(id=plan_id, stripe_subscription_id=subscription.id)
            .first()
        )
        if plan is None or plan.status != Subscription.Status.ACTIVE:
            return plan  # only an active plan is cancelled or ends
        items = subscription["items"].data
        period_end = items[0].current_period_end if items else None
        plan.cancel_at_period_end = bool(subscription.cancel_at_period_end)
        plan.ends_at = None
        if plan.cancel_at_period_end:
            plan.ends_at = _when(subscription.cancel_at or period_end)
        if subscription.status in ENDED_STATUSES:
            plan.status = Subscription.Status.ENDED
            plan.ended_at = _when(subscription.ended_at or time.time())
        plan.save(update_fields=["cancel_at_period_end", "ends_at", "status", "ended_at"])
    return plan


def _when(timestamp) -> datetime | None:
    return datetime.fromtimestamp(timestamp, UTC) if timestamp else None


def _create_session(*, plan: Subscription, fan: User):
    metadata = {METADATA_KEY: str(plan.id)}
    page = settings.SITE_URL + reverse("supporters:page")
    params = {
        "mode": "subscription",
        "line_items": [
            {
                "price_data": {
                    "currency": plan.currency,
                    "unit_amount": plan.amount,
                    "recurring": {"interval": "month"},
                    "product_data": {"name": "Backstage supporter plan"},
                },
                "quantity": 1,
            }
        ],
        "success_url": f"{page}?subscribed=1",
        "cancel_url": page,
        "client_reference_id": str(plan.id),
        "metadata": metadata,
        "subscription_data": {"metadata": metadata},
    }
    return create_checkout_session(params, fan=fan, idempotency_key=plan.idempotency_key)


def _plan_id_in(metadata: dict) -> int | None:
    value = metadata.get(METADATA_KEY, "")
    return int(value) if isinstance(value, str) and value.isdigit() else None


def _plan_id(metadata) -> int | None:
    return _plan_id_in(metadata.to_dict() if metadata else {})


def activate_plan(*, session) -> Subscription | None:
    """checkout.session.completed in mode subscription (called from booking.py): record the
    Stripe subscription on our row. `session` is already re-fetched."""
    plan_id = _plan_id(session.metadata)
    if plan_id is None or session.payment_status != "paid" or not session.subscription:
        return None
    subscription_id = (
        session.subscription if isinstance(session.subscription, str) else session.subscription.id
    )
    # Only the plan's current session: a replayed event of an ended plan's session changes nothing.
    Subscription.objects.filter(
        id=plan_id, checkout_session_id=session.id, status=Subscription.Status.PENDING
    ).update(status=Subscription.Status.ACTIVE, stripe_subscription_id=subscription_id)
    return Subscription.objects.filter(id=plan_id).first()


@register("invoice.paid")
def on_invoice_paid(event) -> None:
    book_invoice(invoice_id=event.data.object.id)


def month_of(timestamp: int) -> date:
    return datetime.fromtimestamp(timestamp, UTC).date().replace(day=1)


def book_invoice(*, invoice_id: str) -> SupporterMonth | None:
    """Book a paid supporter invoice once: customer_payments −amount, processor_fees +fee,
    platform_revenue +cut, supporter_pool +rest; and the fan's SupporterMonth."""
    client = stripe_client()
    invoice = client.v1.invoices.retrieve(invoice_id)
    details = (invoice.parent.to_dict() if invoice.parent else {}).get("subscription_details")
    plan_id = _plan_id_in((details or {}).get("metadata") or {})
    if invoice.status != "paid" or plan_id is None:
        return None  # not ours, or not paid
    payments = client.v1.invoice_payments.list(params={"invoice": invoice.id})
    intent_id = payments.data[0].payment.payment_intent
    intent = client.v1.payment_intents.retrieve(
        intent_id, params={"expand": ["latest_charge.balance_transaction"]}
    )
    balance_transaction = intent.latest_charge.balance_transaction
    if balance_transaction is None:
        raise FeeNotKnownYet(f"{intent.id} has no balance transaction yet")
    fee, amount, currency = balance_transaction.fee, invoice.amount_paid, invoice.currency
    cut, pool = split_supporter_payment(amount=amount, fee=fee)
    with transaction.atomic():
        plan = Subscription.objects.select_for_update().filter(id=plan_id).first()
        if plan is None:
            log.warning("Invoice %s names unknown supporter plan %s", invoice.id, plan_id)
            return None
        month = month_of(invoice.status_transitions.paid_at or invoice.created)

        def account(kind):
            return ledger.get_account(kind=kind, currency=currency)

        ledger.post_transaction(
            kind=LedgerTransaction.Kind.SUPPORTER_PAYMENT,
            reference=invoice.id,
            memo=f"Supporter plan of fan {plan.fan_id} for {month:%Y-%m}",
            currency=currency,
            entries=[
                (account(LedgerAccount.Kind.CUSTOMER_PAYMENTS), -amount),
                (account(LedgerAccount.Kind.PROCESSOR_FEES), fee),
                (account(LedgerAccount.Kind.PLATFORM_REVENUE), cut),
                (account(LedgerAccount.Kind.SUPPORTER_POOL), pool),
            ],
        )
        # Since 2025-03-31.basil the subscription is named only under parent.
        subscription_id = (details or {}).get("subscription")
        if plan.status == Subscription.Status.PENDING and subscription_id:
            plan.status = Subscription.Status.ACTIVE
            plan.stripe_subscription_id = subscription_id
            plan.save(update_fields=["status", "stripe_subscription_id"])
        row, _ = SupporterMonth.objects.get_or_create(
            invoice_id=invoice.id,
            defaults={
                "fan_id": plan.fan_id,
                "month": month,
                "amount": amount,
                "pool": pool,
                "currency": currency,
            },
        )
    return row
