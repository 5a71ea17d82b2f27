"""Money coming in: payment intents, charges, their balance transactions, refunds, disputes."""

import secrets
from typing import Any

from .errors import InvalidParam, StripeError
from .objects import Request, fetch, filtered_page, processing_fee
from .state import Store, new_id, now
from .webhooks import Webhooks

DISPUTE_FEE = 1500
CARD = {
    "brand": "visa",
    "country": "US",
    "exp_month": 12,
    "exp_year": 2034,
    "funding": "credit",
    "last4": "4242",
}


def add_balance_transaction(
    store: Store, *, amount: int, currency: str, fee: int, kind: str, source: str, what: str
) -> dict[str, Any]:
    """A line of the platform's balance; `amount` is signed, `net` = amount - fee."""
    created = now()
    fee_details = []
    if fee:
        fee_details = [
            {
                "amount": fee,
                "application": None,
                "currency": currency,
                "description": "Stripe processing fees",
                "type": "stripe_fee",
            }
        ]
    return store.add(
        {
            "id": new_id("txn_"),
            "object": "balance_transaction",
            "amount": amount,
            "available_on": created,  # the sandbox makes funds available at once
            "balance_type": "payments",
            "created": created,
            "currency": currency,
            "description": what,
            "exchange_rate": None,
            "fee": fee,
            "fee_details": fee_details,
            "net": amount - fee,
            "reporting_category": kind,
            "source": source,
            "status": "available",
            "type": kind,
        }
    )


def collect_payment(
    store: Store,
    *,
    amount: int,
    currency: str,
    description: str | None,
    metadata: dict[str, str],
    transfer_group: str | None = None,
    customer: str | None = None,
) -> dict[str, Any]:
    """A card payment that succeeds: payment intent, charge and balance transaction."""
    created = now()
    intent_id, charge_id = new_id("pi_"), new_id("ch_")
    method = new_id("pm_")
    fee = processing_fee(amount)
    txn = add_balance_transaction(
        store,
        amount=amount,
        currency=currency,
        fee=fee,
        kind="charge",
        source=charge_id,
        what=description or "Payment",
    )
    store.add(
        {
            "id": charge_id,
            "object": "charge",
            "amount": amount,
            "amount_captured": amount,
            "amount_refunded": 0,
            "balance_transaction": txn["id"],
            "billing_details": {"address": None, "email": None, "name": None, "phone": None},
            "captured": True,
            "created": created,
            "currency": currency,
            "customer": customer,
            "description": description,
            "disputed": False,
            "failure_code": None,
            "failure_message": None,
            "livemode": False,
            "metadata": dict(metadata),
            "outcome": {
                "network_status": "approved_by_network",
                "reason": None,
                "risk_level": "normal",
                "seller_message": "Payment complete.",
                "type": "authorized",
            },
            "paid": True,
            "payment_intent": intent_id,
            "payment_method": method,
            "payment_method_details": {"card": dict(CARD), "type": "card"},
            "receipt_url": None,
            "refunded": False,
            # No `refunds`: since API version 2022-11-15 a charge has them only when asked for
            # with expand[]=refunds (retrieve_charge); otherwise GET /v1/refunds?charge=.
            "source_transfer": None,
            "status": "succeeded",
            "transfer_data": None,
            "transfer_group": transfer_group,
        }
    )
    return store.add(
        {
            "id": intent_id,
            "object": "payment_intent",
            "amount": amount,
            "amount_capturable": 0,
            "amount_received": amount,
            "canceled_at": None,
            "cancellation_reason": None,
            "capture_method": "automatic_async",
            "client_secret": f"{intent_id}_secret_{secrets.token_urlsafe(18)}",
            "confirmation_method": "automatic",
            "created": created,
            "currency": currency,
            "customer": customer,
            "description": description,
            "last_payment_error": None,
            "latest_charge": charge_id,
            "livemode": False,
            "metadata": dict(metadata),
            "next_action": None,
            "payment_method": method,
            "payment_method_types": ["card"],
            "status": "succeeded",
            "transfer_data": None,
            "transfer_group": transfer_group,
        }
    )


def retrieve_payment_intent(hooks: Webhooks, request: Request) -> dict[str, Any]:
    return fetch(hooks.store, "payment_intent", request.args[0], label="payment_intent")


def retrieve_charge(hooks: Webhooks, request: Request) -> dict[str, Any]:
    charge = fetch(hooks.store, "charge", request.args[0])
    if not any(path.split(".")[0] == "refunds" for path in request.params.expand()):
        return charge
    refunds = hooks.store.find("refund", charge=charge["id"])
    listed = sorted(reversed(refunds), key=lambda r: r["created"], reverse=True)
    url = f"/v1/charges/{charge['id']}/refunds"
    return {**charge, "refunds": {"object": "list", "data": listed, "has_more": False, "url": url}}


def list_refunds(hooks: Webhooks, request: Request) -> dict[str, Any]:
    """Refunds, newest first, filtered by charge or payment_intent as Stripe's are."""
    filters = ("charge", "payment_intent")
    return filtered_page(hooks.store, "refund", request.params, filters, "/v1/refunds")


def retrieve_balance_transaction(hooks: Webhooks, request: Request) -> dict[str, Any]:
    return fetch(hooks.store, "balance_transaction", request.args[0], label="balance transaction")


def retrieve_balance(hooks: Webhooks, request: Request) -> dict[str, Any]:
    totals: dict[str, int] = {}
    for txn in hooks.store.find("balance_transaction"):
        totals[txn["currency"]] = totals.get(txn["currency"], 0) + txn["net"]
    return {
        "object": "balance",
        "available": [
            {"amount": amount, "currency": currency, "source_types": {"card": amount}}
            for currency, amount in sorted(totals.items())
        ],
        "livemode": False,
        "pending": [],
    }


def available(store: Store, currency: str) -> int:
    return sum(t["net"] for t in store.find("balance_transaction", currency=currency))


def create_refund(hooks: Webhooks, request: Request) -> dict[str, Any]:
    params = request.params
    params.allow("charge", "payment_intent", "amount", "reason", "metadata", "expand")
    charge_id = params.string("charge")
    intent_id = params.string("payment_intent")
    if (charge_id is None) == (intent_id is None):
        raise InvalidParam("Pass exactly one of charge or payment_intent.", param="charge")
    if intent_id is not None:
        charge_id = fetch(hooks.store, "payment_intent", intent_id)["latest_charge"]
    charge = fetch(hooks.store, "charge", charge_id)
    amount = params.integer("amount", minimum=1)
    reason = params.choice("reason", ("duplicate", "fraudulent", "requested_by_customer"))
    metadata = params.metadata()
    left = charge["amount"] - charge["amount_refunded"]
    if charge["disputed"]:
        raise StripeError(
            f"Charge {charge['id']} has been charged back; cannot issue a refund.",
            code="charge_disputed",
        )
    if left == 0:
        raise StripeError(
            f"Charge {charge['id']} has already been refunded.", code="charge_already_refunded"
        )
    amount = left if amount is None else amount
    if amount > left:
        raise StripeError(
            f"Refund amount ({amount}) is greater than unrefunded amount on charge ({left})",
            code="amount_too_large",
            param="amount",
        )
    refund_id = new_id("re_")
    txn = add_balance_transaction(
        hooks.store,
        amount=-amount,
        currency=charge["currency"],
        fee=0,
        kind="refund",
        source=refund_id,
        what="REFUND FOR CHARGE",
    )
    refund = hooks.store.add(
        {
            "id": refund_id,
            "object": "refund",
            "amount": amount,
            "balance_transaction": txn["id"],
            "charge": charge["id"],
            "created": now(),
            "currency": charge["currency"],
            "metadata": metadata,
            "payment_intent": charge["payment_intent"],
            "reason": reason,
            "receipt_number": None,
            "source_transfer_reversal": None,
            "status": "succeeded",
            "transfer_reversal": None,
        }
    )
    previous = {"amount_refunded": charge["amount_refunded"], "refunded": charge["refunded"]}
    charge["amount_refunded"] += amount
    charge["refunded"] = charge["amount_refunded"] == charge["amount"]
    hooks.emit("charge.refunded", charge, previous=previous, request=request.event_request())
    return refund


def retrieve_refund(hooks: Webhooks, request: Request) -> dict[str, Any]:
    return fetch(hooks.store, "refund", request.args[0])


def open_dispute(hooks: Webhooks, request: Request) -> dict[str, Any]:
    """Test helper: the card holder disputes the whole charge (charge.dispute.created)."""
    request.params.allow("reason")
    reason = request.params.choice(
        "reason", ("fraudulent", "duplicate", "product_not_received", "general")
    )
    charge = fetch(hooks.store, "charge", request.args[0])
    if charge["disputed"]:
        raise StripeError(f"Charge {charge['id']} is already disputed.", code="charge_disputed")
    dispute_id = new_id("du_")
    txn = add_balance_transaction(
        hooks.store,
        amount=-charge["amount"],
        currency=charge["currency"],
        fee=DISPUTE_FEE,
        kind="adjustment",
        source=dispute_id,
        what=f"Chargeback withdrawal for {charge['id']}",
    )
    created = now()
    dispute = hooks.store.add(
        {
            "id": dispute_id,
            "object": "dispute",
            "amount": charge["amount"],
            "balance_transactions": [txn],
            "charge": charge["id"],
            "created": created,
            "currency": charge["currency"],
            "evidence": {"customer_email_address": None, "uncategorized_text": None},
            "evidence_details": {
                "due_by": created + 7 * 86400,
                "has_evidence": False,
                "past_due": False,
                "submission_count": 0,
            },
            "is_charge_refundable": False,
            "livemode": False,
            "metadata": {},
            "payment_intent": charge["payment_intent"],
            "reason": reason or "fraudulent",
            "status": "needs_response",
        }
    )
    charge["disputed"] = True
    hooks.emit("charge.dispute.created", dispute, request=request.event_request())
    return dispute


def retrieve_dispute(hooks: Webhooks, request: Request) -> dict[str, Any]:
    return fetch(hooks.store, "dispute", request.args[0])


def list_disputes(hooks: Webhooks, request: Request) -> dict[str, Any]:
    filters = ("charge", "payment_intent")
    return filtered_page(hooks.store, "dispute", request.params, filters, "/v1/disputes")


# Stripe's test-mode evidence texts that decide a submitted dispute at once.
OUTCOMES = {"winning_evidence": "won", "losing_evidence": "lost"}


def update_dispute(hooks: Webhooks, request: Request) -> dict[str, Any]:
    """Evidence for a dispute; with submit, test mode's "winning_evidence" / "losing_evidence"
    closes it: won reinstates the disputed amount (charge.dispute.funds_reinstated, then
    charge.dispute.closed), lost only closes it. The dispute fee is not returned."""
    params = request.params
    params.allow("evidence", "metadata", "submit", "expand")
    dispute = fetch(hooks.store, "dispute", request.args[0])
    evidence = params.nested("evidence")
    text = None
    if evidence is not None:
        evidence.allow("uncategorized_text", "customer_email_address")
        text = evidence.string("uncategorized_text")
    submit = params.choice("submit", ("true", "false")) == "true"
    if dispute["status"] in ("won", "lost"):
        raise StripeError(f"Dispute {dispute['id']} is already closed.", code="dispute_closed")
    if text is not None:
        dispute["evidence"]["uncategorized_text"] = text
    dispute["metadata"].update(params.metadata())
    outcome = OUTCOMES.get(dispute["evidence"]["uncategorized_text"] or "")
    if not submit or outcome is None:
        return dispute
    dispute["status"] = outcome
    if outcome == "won":
        txn = add_balance_transaction(
            hooks.store,
            amount=dispute["amount"],
            currency=dispute["currency"],
            fee=0,
            kind="adjustment",
            source=dispute["id"],
            what=f"Chargeback reversal for {dispute['charge']}",
        )
        dispute["balance_transactions"].append(txn)
        hooks.emit("charge.dispute.funds_reinstated", dispute, request=request.event_request())
    hooks.emit("charge.dispute.closed", dispute, request=request.event_request())
    return dispute


ROUTES = [
    ("GET", r"/v1/payment_intents/([^/]+)", retrieve_payment_intent),
    ("GET", r"/v1/charges/([^/]+)", retrieve_charge),
    ("GET", r"/v1/balance_transactions/([^/]+)", retrieve_balance_transaction),
    ("GET", r"/v1/balance", retrieve_balance),
    ("POST", r"/v1/refunds", create_refund),
    ("GET", r"/v1/refunds", list_refunds),
    ("GET", r"/v1/refunds/([^/]+)", retrieve_refund),
    ("GET", r"/v1/disputes", list_disputes),
    ("GET", r"/v1/disputes/([^/]+)", retrieve_dispute),
    ("POST", r"/v1/disputes/([^/]+)", update_dispute),
    ("POST", r"/v1/test_helpers/charges/([^/]+)/dispute", open_dispute),
]
