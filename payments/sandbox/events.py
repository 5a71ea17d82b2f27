"""Events: retrieve, list, and (a test helper) deliver one again."""

from typing import Any

from .errors import StripeError
from .objects import Request, fetch, page
from .webhooks import Webhooks


def retrieve_event(hooks: Webhooks, request: Request) -> dict[str, Any]:
    return fetch(hooks.store, "event", request.args[0])


def list_events(hooks: Webhooks, request: Request) -> dict[str, Any]:
    params = request.params
    params.allow("type", "limit", "starting_after", "ending_before", "expand")
    kind = params.string("type")
    events = [hooks.store.objects[i] for i in hooks.store.events]
    if kind is not None:
        # Stripe's `type` filter takes one type or a prefix with a wildcard: "charge.*".
        if kind.endswith("*"):
            events = [e for e in events if e["type"].startswith(kind[:-1])]
        else:
            events = [e for e in events if e["type"] == kind]
    return page(events, params, "/v1/events")


def resend_event(hooks: Webhooks, request: Request) -> dict[str, Any]:
    """Test helper: deliver the event once more (queued, so it may overtake or trail others)."""
    request.params.allow()
    event = fetch(hooks.store, "event", request.args[0])
    if not hooks.url:
        raise StripeError("The sandbox was started without a webhook URL.")
    hooks.redeliver(event["id"])
    return event


ROUTES = [
    ("GET", r"/v1/events/([^/]+)", retrieve_event),
    ("GET", r"/v1/events", list_events),
    ("POST", r"/v1/test_helpers/events/([^/]+)/resend", resend_event),
]
