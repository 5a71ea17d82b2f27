"""Helpers for tests that buy and tip through the sandbox: a fan presses Buy, pays on the hosted
page (a plain HTTP POST, as a browser would) and the sandbox's signed event is handed to the
registered webhook handlers."""

import json
import re

import requests
import stripe
from django.urls import reverse

from payments.webhooks import HANDLERS
from tests.payments.conftest import WEBHOOK_SECRET

TOKEN = "double-click-token-0123456789"


def buy(client, item, amount: str, token: str = TOKEN):
    kind = "track" if item.__class__.__name__ == "Track" else "release"
    url = reverse("checkout:buy", args=[kind, item.public_id])
    return client.post(url, {"amount": amount, "token": token})


def tip(client, artist, amount: str, message: str = "", token: str = TOKEN):
    url = reverse("checkout:tip", args=[artist.slug])
    return client.post(url, {"amount": amount, "message": message, "token": token})


def pay(hosted_url: str, email: str = "fan@example.com") -> str:
    """Press Pay on the sandbox's hosted Checkout page; where it sends the browser."""
    answer = requests.post(
        hosted_url + "/pay", data={"email": email}, allow_redirects=False, timeout=5
    )
    assert answer.status_code == 303, answer.text
    return answer.headers["Location"]


def completed_events(receiver, count: int = 1) -> list[stripe.Event]:
    """The checkout.session.completed events the sandbox sent, signature-checked."""
    receiver.wait_for("checkout.session.completed", count)
    return [
        stripe.Webhook.construct_event(body, signature, WEBHOOK_SECRET)
        for body, signature in receiver.received
        if json.loads(body)["type"] == "checkout.session.completed"
    ]


def deliver(event: stripe.Event) -> None:
    """Hand a signed event to the handler registered for its type, as the webhook task does."""
    HANDLERS[event.type](event)


def buy_and_pay(client, receiver, item, amount: str, token: str = TOKEN) -> stripe.Event:
    """Buy `item` for `amount`, pay, deliver the webhook once; the event delivered."""
    response = buy(client, item, amount, token=token)
    assert response.status_code == 303, response.content.decode()
    pay(response["Location"])
    event = completed_events(receiver)[-1]
    deliver(event)
    return event


def sessions(sandbox) -> list[dict]:
    return sandbox.store.find("checkout.session")


def text(response) -> str:
    """The page's visible text, tags dropped and whitespace squeezed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())).strip()
