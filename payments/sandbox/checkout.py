"""Checkout sessions (mode payment or subscription, inline price_data) and paying one."""

import secrets
from typing import Any

from . import charges, subscriptions
from .errors import InvalidParam, StripeError
from .form import Params
from .objects import Request, fetch
from .state import Store, new_id, now
from .webhooks import Webhooks

SESSION_LIFETIME = 24 * 60 * 60
INTERVALS = ("day", "week", "month", "year")
MAX_AMOUNT = 99_999_999  # Stripe's limit for a charge: 999,999.99 in a two-decimal currency


def _price(store: Store, item: Params, mode: str) -> dict[str, Any]:
    """The inline price (and its product) that `line_items[i][price_data]` describes."""
    if item.string("price") is not None:
        raise StripeError(
            f"No such price: '{item.data['price']}'",
            status=404,
            code="resource_missing",
            param=item.name("price"),
        )
    data = item.nested("price_data", required=True)
    data.allow("currency", "unit_amount", "product_data", "recurring", "tax_behavior")
    product_data = data.nested("product_data", required=True)
    product_data.allow("name", "description", "metadata")
    recurring = data.nested("recurring")
    if recurring is not None:
        recurring.allow("interval", "interval_count")
    if mode == "subscription" and recurring is None:
        raise InvalidParam(
            "You must provide at least one recurring price in `subscription` mode.",
            param=data.name("recurring"),
        )
    if mode == "payment" and recurring is not None:
        raise InvalidParam(
            "You specified `payment` mode but passed a recurring price.",
            param=data.name("recurring"),
        )
    created = now()
    product = store.add(
        {
            "id": new_id("prod_"),
            "object": "product",
            "active": False,  # inline products are not listed in the dashboard
            "created": created,
            "description": product_data.string("description"),
            "images": [],
            "livemode": False,
            "metadata": product_data.metadata(),
            "name": product_data.string("name", required=True, max_length=250),
            "type": "service",
            "updated": created,
        }
    )
    unit_amount = data.integer("unit_amount", required=True)
    return store.add(
        {
            "id": new_id("price_"),
            "object": "price",
            "active": False,
            "billing_scheme": "per_unit",
            "created": created,
            "currency": data.currency("currency"),
            "livemode": False,
            "metadata": {},
            "product": product["id"],
            "recurring": None
            if recurring is None
            else {
                "interval": recurring.choice("interval", INTERVALS, required=True),
                "interval_count": recurring.integer("interval_count", minimum=1) or 1,
                "usage_type": "licensed",
            },
            "type": "one_time" if recurring is None else "recurring",
            "unit_amount": unit_amount,
            "unit_amount_decimal": str(unit_amount),
        }
    )


def create_session(hooks: Webhooks, request: Request) -> dict[str, Any]:
    params = request.params
    params.allow(
        "mode",
        "line_items",
        "success_url",
        "cancel_url",
        "metadata",
        "payment_intent_data",
        "subscription_data",
        "customer_email",
        "client_reference_id",
        "expand",
    )
    mode = params.choice("mode", ("payment", "subscription"), required=True)
    success_url = params.string("success_url", required=True, max_length=5000)
    cancel_url = params.string("cancel_url", max_length=5000)
    intent_data = params.nested("payment_intent_data")
    if intent_data is not None:
        if mode != "payment":
            raise InvalidParam(
                "payment_intent_data can only be used in `payment` mode.",
                param="payment_intent_data",
            )
        intent_data.allow("transfer_group", "metadata", "description")
    subscription_data = params.nested("subscription_data")
    if subscription_data is not None:
        subscription_data.allow("metadata", "description")
    items = params.items("line_items", required=True)
    if not items:
        raise InvalidParam("line_items must hold at least one item.", param="line_items")
    lines = []
    for item in items:
        item.allow("price_data", "quantity", "price")
        quantity = item.integer("quantity", required=True, minimum=1)
        lines.append((_price(hooks.store, item, mode), quantity))
    currencies = {price["currency"] for price, _ in lines}
    if len(currencies) > 1:
        raise InvalidParam("All line_items must share one currency.", param="line_items")
    total = sum(price["unit_amount"] * quantity for price, quantity in lines)
    if total > MAX_AMOUNT:
        raise InvalidParam(
            f"The total must be at most {MAX_AMOUNT} minor units.",
            param="line_items",
            code="amount_too_large",
        )
    session_id = "cs_test_" + secrets.token_urlsafe(30).replace("-", "a").replace("_", "b")
    created = now()
    hooks.store.secrets[session_id] = {
        "lines": [{"price": price["id"], "quantity": quantity} for price, quantity in lines],
        "intent": {
            "transfer_group": intent_data.string("transfer_group") if intent_data else None,
            "description": intent_data.string("description") if intent_data else None,
            "metadata": intent_data.metadata() if intent_data else {},
        },
        "subscription_metadata": subscription_data.metadata() if subscription_data else {},
    }
    return hooks.store.add(
        {
            "id": session_id,
            "object": "checkout.session",
            "amount_subtotal": total,
            "amount_total": total,
            "cancel_url": cancel_url,
            "client_reference_id": params.string("client_reference_id", max_length=200),
            "created": created,
            "currency": currencies.pop(),
            "customer": None,
            "customer_details": None,
            "customer_email": params.string("customer_email", max_length=800),
            "expires_at": created + SESSION_LIFETIME,
            "invoice": None,
            "livemode": False,
            "metadata": params.metadata(),
            "mode": mode,
            "payment_intent": None,
            "payment_method_types": ["card"],
            "payment_status": "unpaid",
            "status": "open",
            "subscription": None,
            "success_url": success_url,
            "total_details": {"amount_discount": 0, "amount_shipping": 0, "amount_tax": 0},
            "ui_mode": "hosted",
            "url": f"{request.base_url}/sandbox/checkout/{session_id}",
        }
    )


def _expire_if_due(hooks: Webhooks, session: dict[str, Any]) -> dict[str, Any]:
    """An open session past its `expires_at` is expired, as Stripe does (it sends
    checkout.session.expired); checked whenever the session is read or paid."""
    if session["status"] == "open" and now() >= session["expires_at"]:
        _expire(hooks, session)
    return session


def _expire(hooks: Webhooks, session: dict[str, Any]) -> None:
    session["status"] = "expired"
    session["url"] = None
    hooks.emit("checkout.session.expired", session)


def retrieve_session(hooks: Webhooks, request: Request) -> dict[str, Any]:
    session = fetch(hooks.store, "checkout.session", request.args[0], label="checkout.session")
    return _expire_if_due(hooks, session)


def expire_session(hooks: Webhooks, request: Request) -> dict[str, Any]:
    """POST /v1/checkout/sessions/:id/expire: an open session can no longer be paid."""
    request.params.allow()
    session = _expire_if_due(hooks, fetch(hooks.store, "checkout.session", request.args[0]))
    if session["status"] != "open":
        raise StripeError('Only Checkout Sessions with a status in ["open"] can be expired.')
    _expire(hooks, session)
    return session


def session_lines(store: Store, session: dict[str, Any]) -> list[dict[str, Any]]:
    """The session's line items as Stripe's `item` objects."""
    lines = []
    for number, line in enumerate(store.secrets[session["id"]]["lines"]):
        price = store.objects[line["price"]]
        amount = price["unit_amount"] * line["quantity"]
        lines.append(
            {
                "id": f"li_{session['id'][8:32]}{number}",
                "object": "item",
                "amount_discount": 0,
                "amount_subtotal": amount,
                "amount_tax": 0,
                "amount_total": amount,
                "currency": price["currency"],
                "description": store.objects[price["product"]]["name"],
                "price": price,
                "quantity": line["quantity"],
            }
        )
    return lines


def list_line_items(hooks: Webhooks, request: Request) -> dict[str, Any]:
    session = retrieve_session(hooks, request)
    request.params.allow("limit", "expand")  # a session holds at most 100 items: one page
    url = f"/v1/checkout/sessions/{session['id']}/line_items"
    lines = session_lines(hooks.store, session)
    return {"object": "list", "data": lines, "has_more": False, "url": url}


def pay_session(hooks: Webhooks, *, session_id: str, email: str) -> dict[str, Any]:
    """What "Pay" on the hosted page does; the session must still be open."""
    store = hooks.store
    session = _expire_if_due(hooks, fetch(store, "checkout.session", session_id))
    if session["status"] != "open":
        raise StripeError("This Checkout Session is no longer open.", code="session_not_open")
    extra = store.secrets[session_id]
    email = session["customer_email"] or email
    session["customer_details"] = {
        "address": None,
        "email": email,
        "name": None,
        "phone": None,
        "tax_exempt": "none",
        "tax_ids": [],
    }
    session["status"] = "complete"
    session["payment_status"] = "paid"
    if session["mode"] == "payment":
        intent = charges.collect_payment(
            store,
            amount=session["amount_total"],
            currency=session["currency"],
            description=extra["intent"]["description"],
            metadata=extra["intent"]["metadata"],
            transfer_group=extra["intent"]["transfer_group"],
        )
        session["payment_intent"] = intent["id"]
        hooks.emit("checkout.session.completed", session)
        return session
    subscription, invoice = subscriptions.start(
        store,
        email=email,
        lines=extra["lines"],
        metadata=extra["subscription_metadata"],
    )
    session["customer"] = subscription["customer"]
    session["subscription"] = subscription["id"]
    session["invoice"] = invoice["id"]
    hooks.emit("checkout.session.completed", session)
    hooks.emit("customer.subscription.created", subscription)
    hooks.emit("invoice.paid", invoice)
    return session


ROUTES = [
    ("POST", r"/v1/checkout/sessions", create_session),
    ("GET", r"/v1/checkout/sessions/([^/]+)", retrieve_session),
    ("GET", r"/v1/checkout/sessions/([^/]+)/line_items", list_line_items),
    ("POST", r"/v1/checkout/sessions/([^/]+)/expire", expire_session),
]
