"""Stripe webhook handlers, registered by event type.

Handlers take the verified stripe.Event and re-fetch what they need through stripe_client()
(an event is a snapshot, and events arrive in any order). They must be idempotent: Stripe
delivers an event more than once.
"""

from collections.abc import Callable

import stripe

Handler = Callable[[stripe.Event], None]
HANDLERS: dict[str, list[Handler]] = {}


def register(event_type: str) -> Callable[[Handler], Handler]:
    """Decorator: call the handler for every event of `event_type`."""

    def decorate(handler: Handler) -> Handler:
        HANDLERS.setdefault(event_type, []).append(handler)
        return handler

    return decorate


def handle_event(event: stripe.Event) -> None:
    """Run the handlers registered for the event's type (none: nothing to do)."""
    for handler in HANDLERS.get(event.type, []):
        handler(event)
