"""Connect onboarding: an artist's Express account, its onboarding links, its status.

Payouts are enabled only from the account as Stripe returns it when re-fetched (on
`account.updated`), never from a webhook's snapshot or from the browser coming back.
"""

import logging
import uuid

import stripe
from django.db import transaction

from artists.models import Artist

from .models import ConnectedAccount
from .stripe_api import stripe_client
from .webhooks import register

logger = logging.getLogger(__name__)


def ensure_connected_account(*, artist: Artist) -> ConnectedAccount:
    """The artist's connected account, asking Stripe to create it the first time.

    Our row is written first and its id is the idempotency key, so a retry after a crash or a
    double click gets the same Stripe account back, never a second one (within Stripe's 24 h
    memory of keys). The Stripe call runs outside any transaction; the id is recorded after.
    """
    account, _ = ConnectedAccount.objects.get_or_create(artist=artist)
    if account.stripe_account_id:
        return account
    created = stripe_client().v1.accounts.create(**account_create_request(account=account))
    ConnectedAccount.objects.filter(id=account.id, stripe_account_id__isnull=True).update(
        stripe_account_id=created.id
    )
    account.refresh_from_db()
    return account


def account_create_request(*, account: ConnectedAccount) -> dict:
    """What we ask Stripe for, keyed by our row: the same row always asks the same."""
    artist = account.artist
    return {
        "params": {
            "type": "express",
            "email": artist.user.email,
            "capabilities": {"transfers": {"requested": True}},
            "metadata": {"artist_id": str(artist.id), "connected_account_id": str(account.id)},
        },
        "options": {"idempotency_key": f"connected-account-{account.id}"},
    }


def create_onboarding_link(*, artist: Artist, refresh_url: str, return_url: str) -> str:
    """The URL of Stripe's hosted onboarding for the artist's account (made if need be)."""
    account = ensure_connected_account(artist=artist)
    link = stripe_client().v1.account_links.create(
        params={
            "account": account.stripe_account_id,
            "refresh_url": refresh_url,
            "return_url": return_url,
            "type": "account_onboarding",
        },
        # Links are single-use, so each request gets its own key (a fresh click, a fresh
        # link); the key makes the library's network retries of this one request safe.
        options={"idempotency_key": f"account-link-{account.id}-{uuid.uuid4().hex}"},
    )
    return link.url


def sync_connected_account(*, stripe_account_id: str) -> ConnectedAccount | None:
    """Copy the account's current state from Stripe; None for an account that is not ours.

    Re-fetched, so events in any order, repeated or stale, all end in Stripe's present state.
    The row is locked so that two workers syncing at once write one after the other.
    """
    with transaction.atomic():
        account = (
            ConnectedAccount.objects.select_for_update()
            .filter(stripe_account_id=stripe_account_id)
            .first()
        )
        if account is None:
            logger.info("account.updated for %s, which is not ours", stripe_account_id)
            return None
        fresh = stripe_client().v1.accounts.retrieve(stripe_account_id).to_dict()
        requirements = fresh.get("requirements") or {}
        account.details_submitted = bool(fresh.get("details_submitted"))
        account.charges_enabled = bool(fresh.get("charges_enabled"))
        account.payouts_enabled = bool(fresh.get("payouts_enabled"))
        account.currently_due = list(requirements.get("currently_due") or [])
        account.save()
    return account


@register("account.updated")
def on_account_updated(event: stripe.Event) -> None:
    sync_connected_account(stripe_account_id=event.data.object["id"])
