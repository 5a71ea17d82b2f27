"""Subscriptions started by checkout, their invoices, and advancing to the next period."""

import calendar
import datetime
from typing import Any

from . import charges
from .errors import StripeError
from .objects import Request, fetch
from .state import Store, new_id, now
from .webhooks import Webhooks


def period_end(start: int, interval: str, count: int) -> int:
    """`start` plus `count` intervals; a month from 31 January is the last day of February."""
    moment = datetime.datetime.fromtimestamp(start, datetime.UTC)
    if interval in ("day", "week"):
        days = count * (7 if interval == "week" else 1)
        return int((moment + datetime.timedelta(days=days)).timestamp())
    months = count * (12 if interval == "year" else 1)
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return int(moment.replace(year=year, month=month, day=day).timestamp())


def start(
    store: Store, *, email: str, lines: list[dict[str, Any]], metadata: dict[str, str]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A customer, an active subscription and its first invoice, paid."""
    created = now()
    customer = store.add(
        {
            "id": new_id("cus_"),
            "object": "customer",
            "balance": 0,
            "created": created,
            "currency": None,
            "delinquent": False,
            "description": None,
            "email": email,
            "livemode": False,
            "metadata": {},
            "name": None,
        }
    )
    subscription_id = new_id("sub_")
    first = store.objects[lines[0]["price"]]
    end = period_end(created, first["recurring"]["interval"], first["recurring"]["interval_count"])
    items = [
        {
            "id": new_id("si_"),
            "object": "subscription_item",
            "created": created,
            "current_period_end": end,
            "current_period_start": created,
            "metadata": {},
            "price": store.objects[line["price"]],
            "quantity": line["quantity"],
            "subscription": subscription_id,
        }
        for line in lines
    ]
    subscription = store.add(
        {
            "id": subscription_id,
            "object": "subscription",
            "billing_cycle_anchor": created,
            "cancel_at": None,
            "cancel_at_period_end": False,
            "canceled_at": None,
            "collection_method": "charge_automatically",
            "created": created,
            "currency": first["currency"],
            "customer": customer["id"],
            "ended_at": None,
            "items": {
                "object": "list",
                "data": items,
                "has_more": False,
                "url": f"/v1/subscription_items?subscription={subscription_id}",
            },
            "latest_invoice": None,
            "livemode": False,
            "metadata": dict(metadata),
            "start_date": created,
            "status": "active",
        }
    )
    invoice = _bill(store, subscription, "subscription_create")
    return subscription, invoice


def _bill(store: Store, subscription: dict[str, Any], reason: str) -> dict[str, Any]:
    """Charge the subscription's current period: an invoice, paid, and its invoice payment."""
    customer = store.objects[subscription["customer"]]
    items = subscription["items"]["data"]
    period = {"start": items[0]["current_period_start"], "end": items[0]["current_period_end"]}
    invoice_id = new_id("in_")
    lines = []
    for item in items:
        amount = item["price"]["unit_amount"] * item["quantity"]
        lines.append(
            {
                "id": new_id("il_"),
                "object": "line_item",
                "amount": amount,
                "currency": subscription["currency"],
                "description": f"{item['quantity']} × subscription",
                "invoice": invoice_id,
                "livemode": False,
                "metadata": {},
                "period": dict(period),
                "pricing": {
                    "price_details": {
                        "price": item["price"]["id"],
                        "product": item["price"]["product"],
                    },
                    "type": "price_details",
                    "unit_amount_decimal": str(item["price"]["unit_amount"]),
                },
                "quantity": item["quantity"],
            }
        )
    total = sum(line["amount"] for line in lines)
    intent = charges.collect_payment(
        store,
        amount=total,
        currency=subscription["currency"],
        description="Subscription creation" if reason == "subscription_create" else None,
        metadata={},
        customer=customer["id"],
    )
    paid_at = now()
    invoice = store.add(
        {
            "id": invoice_id,
            "object": "invoice",
            "amount_due": total,
            "amount_paid": total,
            "amount_remaining": 0,
            "attempt_count": 1,
            "attempted": True,
            "billing_reason": reason,
            "collection_method": "charge_automatically",
            "created": paid_at,
            "currency": subscription["currency"],
            "customer": customer["id"],
            "customer_email": customer["email"],
            "lines": {
                "object": "list",
                "data": lines,
                "has_more": False,
                "url": f"/v1/invoices/{invoice_id}/lines",
            },
            "livemode": False,
            "metadata": {},
            "parent": {
                "quote_details": None,
                "subscription_details": {
                    "metadata": dict(subscription["metadata"]),
                    "subscription": subscription["id"],
                },
                "type": "subscription_details",
            },
            "period_end": period["end"],
            "period_start": period["start"],
            "status": "paid",
            "status_transitions": {"finalized_at": paid_at, "paid_at": paid_at},
            # No top-level `subscription`: removed in 2025-03-31.basil (parent above says it).
            "subtotal": total,
            "total": total,
        }
    )
    store.add(
        {
            "id": new_id("inpay_"),
            "object": "invoice_payment",
            "amount_paid": total,
            "amount_requested": total,
            "created": paid_at,
            "currency": subscription["currency"],
            "invoice": invoice_id,
            "is_default": True,
            "livemode": False,
            "payment": {"payment_intent": intent["id"], "type": "payment_intent"},
            "status": "paid",
            "status_transitions": {"canceled_at": None, "paid_at": paid_at},
        }
    )
    subscription["latest_invoice"] = invoice_id
    return invoice


def advance(hooks: Webhooks, request: Request) -> dict[str, Any]:
    """Test helper: move an active subscription to its next period and pay it (invoice.paid);
    one set to cancel at period end ends instead (customer.subscription.deleted), and the
    subscription is answered."""
    request.params.allow()
    subscription = fetch(hooks.store, "subscription", request.args[0])
    if subscription["status"] != "active":
        raise StripeError(f"Subscription {subscription['id']} is not active.")
    if subscription["cancel_at_period_end"]:
        _end(hooks, subscription, request)
        return subscription
    for item in subscription["items"]["data"]:
        recurring = item["price"]["recurring"]
        item["current_period_start"] = item["current_period_end"]
        item["current_period_end"] = period_end(
            item["current_period_start"], recurring["interval"], recurring["interval_count"]
        )
    invoice = _bill(hooks.store, subscription, "subscription_cycle")
    hooks.emit("invoice.paid", invoice, request=request.event_request())
    return invoice


def retrieve_subscription(hooks: Webhooks, request: Request) -> dict[str, Any]:
    return fetch(hooks.store, "subscription", request.args[0])


def _end(hooks: Webhooks, subscription: dict[str, Any], request: Request) -> None:
    subscription["status"] = "canceled"
    subscription["ended_at"] = now()
    subscription["canceled_at"] = subscription["canceled_at"] or subscription["ended_at"]
    hooks.emit("customer.subscription.deleted", subscription, request=request.event_request())


def update_subscription(hooks: Webhooks, request: Request) -> dict[str, Any]:
    """POST /v1/subscriptions/:id with cancel_at_period_end=true|false (nothing else): cancel at
    the end of the period paid for, or take that back (customer.subscription.updated)."""
    request.params.allow("cancel_at_period_end")
    wanted = request.params.choice("cancel_at_period_end", ("true", "false"), required=True)
    subscription = fetch(hooks.store, "subscription", request.args[0])
    if subscription["status"] == "canceled":
        raise StripeError(
            "A canceled subscription can only update its cancellation_details and metadata."
        )
    cancel = wanted == "true"
    if cancel != subscription["cancel_at_period_end"]:
        previous = {
            key: subscription[key] for key in ("cancel_at_period_end", "cancel_at", "canceled_at")
        }
        subscription["cancel_at_period_end"] = cancel
        subscription["cancel_at"] = (
            subscription["items"]["data"][0]["current_period_end"] if cancel else None
        )
        subscription["canceled_at"] = now() if cancel else None
        hooks.emit(
            "customer.subscription.updated",
            subscription,
            previous=previous,
            request=request.event_request(),
        )
    return subscription


def cancel_subscription(hooks: Webhooks, request: Request) -> dict[str, Any]:
    """DELETE /v1/subscriptions/:id: cancel now (customer.subscription.deleted)."""
    request.params.allow()
    subscription = fetch(hooks.store, "subscription", request.args[0])
    if subscription["status"] == "canceled":
        raise StripeError(f"No such subscription: '{subscription['id']}'", status=404)
    _end(hooks, subscription, request)
    return subscription


def retrieve_invoice(hooks: Webhooks, request: Request) -> dict[str, Any]:
    return fetch(hooks.store, "invoice", request.args[0])


def retrieve_customer(hooks: Webhooks, request: Request) -> dict[str, Any]:
    return fetch(hooks.store, "customer", request.args[0])


def list_invoice_payments(hooks: Webhooks, request: Request) -> dict[str, Any]:
    """How an invoice leads to its payment intent (and so its charge and fee), and back:
    filtered by invoice or by payment[type]=payment_intent&payment[payment_intent]=pi_…"""
    request.params.allow("invoice", "payment", "expand", "limit")
    invoice_id = request.params.string("invoice")
    payment = request.params.nested("payment")
    intent_id = None
    if payment is not None:
        payment.allow("type", "payment_intent")
        payment.choice("type", ("payment_intent",), required=True)
        intent_id = payment.string("payment_intent", required=True)
    payments = [
        p
        for p in hooks.store.find("invoice_payment")
        if invoice_id in (None, p["invoice"])
        and intent_id in (None, p["payment"].get("payment_intent"))
    ]
    return {"object": "list", "data": payments, "has_more": False, "url": "/v1/invoice_payments"}


ROUTES = [
    ("GET", r"/v1/subscriptions/([^/]+)", retrieve_subscription),
    ("POST", r"/v1/subscriptions/([^/]+)", update_subscription),
    ("DELETE", r"/v1/subscriptions/([^/]+)", cancel_subscription),
    ("GET", r"/v1/invoices/([^/]+)", retrieve_invoice),
    ("GET", r"/v1/customers/([^/]+)", retrieve_customer),
    ("GET", r"/v1/invoice_payments", list_invoice_payments),
    ("POST", r"/v1/test_helpers/subscriptions/([^/]+)/advance", advance),
]
