"""Transfers to connected accounts, and reversing them."""

from typing import Any

from .charges import add_balance_transaction, available
from .errors import StripeError
from .objects import Request, empty_list, fetch, filtered_page, page
from .state import new_id, now
from .webhooks import Webhooks


def create_transfer(hooks: Webhooks, request: Request) -> dict[str, Any]:
    params = request.params
    params.allow(
        "amount",
        "currency",
        "destination",
        "transfer_group",
        "description",
        "metadata",
        "source_transaction",
        "expand",
    )
    amount = params.integer("amount", required=True, minimum=1)
    currency = params.currency("currency")
    destination = params.string("destination", required=True)
    transfer_group = params.string("transfer_group")
    description = params.string("description")
    metadata = params.metadata()
    source = params.string("source_transaction")
    account = hooks.store.get(destination, "account")
    if account is None:
        raise StripeError(
            f"No such destination: '{destination}'", code="resource_missing", param="destination"
        )
    if account["capabilities"]["transfers"] != "active" or not account["payouts_enabled"]:
        raise StripeError(
            "Your destination account needs to have at least one of the following capabilities "
            "enabled: transfers, crypto_transfers, legacy_payments",
            code="insufficient_capabilities_for_transfer",
            param="destination",
        )
    if source is not None:
        fetch(hooks.store, "charge", source)  # funds come from that charge, not the balance
    elif available(hooks.store, currency) < amount:
        raise StripeError(
            "You have insufficient funds in your Stripe account. One likely reason you have "
            "insufficient funds is that your funds are automatically being paid out",
            code="balance_insufficient",
        )
    transfer_id = new_id("tr_")
    txn = add_balance_transaction(
        hooks.store,
        amount=-amount,
        currency=currency,
        fee=0,
        kind="transfer",
        source=transfer_id,
        what=description or "Transfer",
    )
    transfer = hooks.store.add(
        {
            "id": transfer_id,
            "object": "transfer",
            "amount": amount,
            "amount_reversed": 0,
            "balance_transaction": txn["id"],
            "created": now(),
            "currency": currency,
            "description": description,
            "destination": destination,
            "destination_payment": new_id("py_"),
            "livemode": False,
            "metadata": metadata,
            "reversals": empty_list(f"/v1/transfers/{transfer_id}/reversals"),
            "reversed": False,
            "source_transaction": source,
            "source_type": "card",
            "transfer_group": transfer_group,
        }
    )
    hooks.emit("transfer.created", transfer, request=request.event_request())
    return transfer


def retrieve_transfer(hooks: Webhooks, request: Request) -> dict[str, Any]:
    return fetch(hooks.store, "transfer", request.args[0])


def list_transfers(hooks: Webhooks, request: Request) -> dict[str, Any]:
    """Transfers, newest first, filtered by destination and transfer_group as Stripe's are."""
    filters = ("destination", "transfer_group")
    return filtered_page(hooks.store, "transfer", request.params, filters, "/v1/transfers")


def list_reversals(hooks: Webhooks, request: Request) -> dict[str, Any]:
    """A transfer's reversals, newest first (paged as Stripe pages them)."""
    request.params.allow("limit", "starting_after", "ending_before", "expand")
    transfer = fetch(hooks.store, "transfer", request.args[0])
    reversals = list(reversed(transfer["reversals"]["data"]))  # kept newest first
    return page(reversals, request.params, f"/v1/transfers/{transfer['id']}/reversals")


def create_reversal(hooks: Webhooks, request: Request) -> dict[str, Any]:
    params = request.params
    params.allow("amount", "description", "metadata", "refund_application_fee", "expand")
    transfer = fetch(hooks.store, "transfer", request.args[0])
    amount = params.integer("amount", minimum=1)
    metadata = params.metadata()
    left = transfer["amount"] - transfer["amount_reversed"]
    if left == 0:
        raise StripeError(f"Transfer {transfer['id']} has already been fully reversed.")
    amount = left if amount is None else amount
    if amount > left:
        raise StripeError(
            f"You cannot reverse {amount} from transfer {transfer['id']}: only {left} remains.",
            param="amount",
        )
    reversal_id = new_id("trr_")
    txn = add_balance_transaction(
        hooks.store,
        amount=amount,
        currency=transfer["currency"],
        fee=0,
        kind="transfer_refund",
        source=reversal_id,
        what="REVERSAL FOR TRANSFER",
    )
    reversal = hooks.store.add(
        {
            "id": reversal_id,
            "object": "transfer_reversal",
            "amount": amount,
            "balance_transaction": txn["id"],
            "created": now(),
            "currency": transfer["currency"],
            "destination_payment_refund": new_id("pyr_"),
            "metadata": metadata,
            "source_refund": None,
            "transfer": transfer["id"],
        }
    )
    previous = {"amount_reversed": transfer["amount_reversed"], "reversed": transfer["reversed"]}
    transfer["amount_reversed"] += amount
    transfer["reversed"] = transfer["amount_reversed"] == transfer["amount"]
    transfer["reversals"]["data"].insert(0, reversal)
    hooks.emit("transfer.reversed", transfer, previous=previous, request=request.event_request())
    return reversal


def retrieve_reversal(hooks: Webhooks, request: Request) -> dict[str, Any]:
    reversal = fetch(hooks.store, "transfer_reversal", request.args[1])
    if reversal["transfer"] != request.args[0]:
        raise StripeError(
            f"No such transfer reversal: '{request.args[1]}'", status=404, code="resource_missing"
        )
    return reversal


ROUTES = [
    ("POST", r"/v1/transfers", create_transfer),
    ("GET", r"/v1/transfers", list_transfers),
    ("GET", r"/v1/transfers/([^/]+)", retrieve_transfer),
    ("POST", r"/v1/transfers/([^/]+)/reversals", create_reversal),
    ("GET", r"/v1/transfers/([^/]+)/reversals", list_reversals),
    ("GET", r"/v1/transfers/([^/]+)/reversals/([^/]+)", retrieve_reversal),
]
