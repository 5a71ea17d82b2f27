"""Payout test helpers: an artist onboarded in the sandbox, sales paid in, events handed over."""

import json

import stripe
from django.core.cache import cache

from payments import connect
from payments.models import PriceTag
from payments.sandbox.accounts import finish_onboarding
from payments.webhooks import HANDLERS
from tests.factories import TrackFactory
from tests.payments.buying import buy, completed_events, pay
from tests.payments.conftest import WEBHOOK_SECRET


def onboard(sandbox, artist, complete: bool = True):
    """The artist's connected account, onboarded on the sandbox's hosted form and synced."""
    account = connect.ensure_connected_account(artist=artist)
    with sandbox.store.lock:
        finish_onboarding(sandbox.webhooks, account_id=account.stripe_account_id, complete=complete)
    return connect.sync_connected_account(stripe_account_id=account.stripe_account_id)


def sell(client, receiver, artist, amount: str, token: str) -> stripe.Event:
    """A fan buys a new track of `artist` for `amount`, paid and booked. The Buy rate limit's
    counters are reset first: property tests make one fan buy dozens of times a minute."""
    cache.clear()
    track = TrackFactory(artist=artist)
    PriceTag.objects.create(track=track, price=50)
    paid_before = len(receiver.events("checkout.session.completed"))
    response = buy(client, track, amount, token=token)
    assert response.status_code == 303, response.content.decode()
    pay(response["Location"])
    event = completed_events(receiver, paid_before + 1)[-1]
    deliver(event)
    return event


def events(receiver, type: str, count: int = 1) -> list[stripe.Event]:
    """The signed events of `type` the sandbox sent (at least `count`), in order."""
    receiver.wait_for(type, count)
    return [
        stripe.Webhook.construct_event(body, signature, WEBHOOK_SECRET)
        for body, signature in list(receiver.received)
        if json.loads(body)["type"] == type
    ]


def deliver(event: stripe.Event) -> None:
    HANDLERS[event.type](event)
