"""Connect accounts (Express) and account links, and finishing onboarding on the hosted page."""

import secrets
from typing import Any

from .errors import InvalidParam, StripeError
from .objects import Request, empty_list, fetch
from .state import new_id, now
from .webhooks import Webhooks

ONBOARDING_DUE = [
    "business_profile.url",
    "external_account",
    "individual.first_name",
    "individual.last_name",
    "tos_acceptance.date",
    "tos_acceptance.ip",
]
LINK_LIFETIME = 300  # seconds, as Stripe's account links


def _requirements(due: list[str]) -> dict[str, Any]:
    return {
        "alternatives": [],
        "current_deadline": None,
        "currently_due": list(due),
        "disabled_reason": "requirements.past_due" if due else None,
        "errors": [],
        "eventually_due": list(due),
        "past_due": list(due),
        "pending_verification": [],
    }


def create_account(hooks: Webhooks, request: Request) -> dict[str, Any]:
    params = request.params
    params.allow("type", "country", "email", "metadata", "capabilities", "business_type", "expand")
    kind = params.choice("type", ("express", "standard", "custom"))
    if kind is None:
        # Stripe asks for a controller or a type; the sandbox only knows Express accounts.
        raise InvalidParam("Missing required param: type.", param="type", code="parameter_missing")
    if kind != "express":
        raise InvalidParam("The sandbox supports only type=express accounts.", param="type")
    account_id = new_id("acct_")
    account = {
        "id": account_id,
        "object": "account",
        "business_profile": {"name": None, "product_description": None, "url": None},
        "business_type": params.choice("business_type", ("individual", "company")),
        "capabilities": {"card_payments": "inactive", "transfers": "inactive"},
        "charges_enabled": False,
        "controller": {
            "is_controller": True,
            "type": "application",
            "stripe_dashboard": {"type": "express"},
        },
        "country": (params.string("country", max_length=2) or "US").upper(),
        "created": now(),
        "default_currency": "usd",
        "details_submitted": False,
        "email": params.string("email", max_length=800),
        "external_accounts": empty_list(f"/v1/accounts/{account_id}/external_accounts"),
        "future_requirements": _requirements([]),
        "metadata": params.metadata(),
        "payouts_enabled": False,
        "requirements": _requirements(ONBOARDING_DUE),
        "settings": {"payouts": {"schedule": {"delay_days": 2, "interval": "daily"}}},
        "tos_acceptance": {"date": None},
        "type": "express",
    }
    return hooks.store.add(account)


def retrieve_account(hooks: Webhooks, request: Request) -> dict[str, Any]:
    return fetch(hooks.store, "account", request.args[0])


def create_account_link(hooks: Webhooks, request: Request) -> dict[str, Any]:
    params = request.params
    params.allow("account", "refresh_url", "return_url", "type", "collect", "expand")
    account_id = params.string("account", required=True)
    kind = params.choice("type", ("account_onboarding", "account_update"), required=True)
    refresh_url = params.string("refresh_url", required=True, max_length=2048)
    return_url = params.string("return_url", required=True, max_length=2048)
    for name, url in (("refresh_url", refresh_url), ("return_url", return_url)):
        if not url.startswith(("http://", "https://")):
            raise InvalidParam(f"Not a valid URL: {name}", param=name, code="url_invalid")
    account = hooks.store.get(account_id, "account")
    if account is None:
        raise StripeError(f"No such account: '{account_id}'", code="account_invalid")
    token = secrets.token_urlsafe(12)
    created = now()
    hooks.store.secrets[token] = {
        "account": account_id,
        "refresh_url": refresh_url,
        "return_url": return_url,
        "expires_at": created + LINK_LIFETIME,
        "used": False,
        "type": kind,
    }
    return {
        "object": "account_link",
        "created": created,
        "expires_at": created + LINK_LIFETIME,
        "url": f"{request.base_url}/sandbox/onboarding/{account_id}?link={token}",
    }


def usable_link(hooks: Webhooks, account_id: str, token: str) -> dict[str, Any] | None:
    """The link if it is for this account, unused and unexpired (Stripe's links are single-use)."""
    link = hooks.store.secrets.get(token)
    if link is None or link.get("account") != account_id:
        return None
    if link["used"] or link["expires_at"] < now():
        return None
    return link


def finish_onboarding(hooks: Webhooks, *, account_id: str, complete: bool) -> None:
    """What submitting the hosted form does: flip the flags and send account.updated.

    `complete=False` submits details but leaves a bank account due, so payouts stay disabled.
    """
    account = fetch(hooks.store, "account", account_id)
    due = [] if complete else ["external_account"]
    changes = {
        "details_submitted": True,
        "charges_enabled": True,
        "payouts_enabled": complete,
        "requirements": _requirements(due),
        "capabilities": {
            "card_payments": "active",
            "transfers": "active" if complete else "inactive",
        },
    }
    if complete and not account["external_accounts"]["data"]:
        changes["external_accounts"] = dict(account["external_accounts"])
        changes["external_accounts"]["data"] = [_bank_account(account)]
    previous = {k: account[k] for k in changes if account[k] != changes[k]}
    account.update(changes)
    if previous:
        hooks.emit("account.updated", account, previous=previous)


def _bank_account(account: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": new_id("ba_"),
        "object": "bank_account",
        "account_holder_name": None,
        "bank_name": "STRIPE TEST BANK",
        "country": account["country"],
        "currency": account["default_currency"],
        "last4": "6789",
        "metadata": {},
        "status": "new",
    }


ROUTES = [
    ("POST", r"/v1/accounts", create_account),
    ("GET", r"/v1/accounts/([^/]+)", retrieve_account),
    ("POST", r"/v1/account_links", create_account_link),
]
