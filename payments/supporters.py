"""The supporter plan: a fan subscribes monthly through Stripe Checkout (mode subscription);
each paid invoice is booked once into the supporter pool, tagged with the fan and the month.

The Subscription row is written pending first; its id is the Checkout Session's idempotency key
and travels in the subscription's metadata, so invoice.paid (which may arrive before
checkout.session.completed, late, or three times) finds the fan from the invoice alone. Every
handler re-fetches the invoice or session from Stripe. payments/distribution.py shares the
pool out monthly.
"""

import logging
from datetime import UTC, date, datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse

from backstage.models import User

from . import ledger
from .booking import FeeNotKnownYet
from .checkout import create_checkout_session
from .models import LedgerAccount, LedgerTransaction, Subscription, SupporterMonth
from .stripe_api import stripe_client
from .webhooks import register

log = logging.getLogger(__name__)

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
    Subscribe). Raises CheckoutUnavailable if Stripe fails (the row stays pending; pressing
    again retries with the same idempotency key)."""
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
    if plan.status == Subscription.Status.PENDING and not plan.checkout_url:
        session = _create_session(plan=plan, fan=fan)
        Subscription.objects.filter(id=plan.id).update(
            checkout_session_id=session.id, checkout_url=session.url
        )
        plan.checkout_session_id, plan.checkout_url = session.id, session.url
    return plan


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
    Subscription.objects.filter(id=plan_id).update(
        status=Subscription.Status.ACTIVE, stripe_subscription_id=subscription_id
    )
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
        if plan.status != Subscription.Status.ACTIVE and invoice.subscription:
            plan.status = Subscription.Status.ACTIVE
            plan.stripe_subscription_id = invoice.subscription
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
