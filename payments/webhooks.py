"""Stripe webhook handlers, registered by event type (a minimal stand-in: feat-connect brings
the verifying view, the WebhookEvent record and the processing task; the lead keeps those).

Handlers take the verified stripe.Event and re-fetch what they need through stripe_client()
(an event is a snapshot, and events arrive in any order). They must be idempotent: Stripe
delivers an event more than once.
"""

from collections.abc import Callable

import stripe

Handler = Callable[[stripe.Event], None]
HANDLERS: dict[str, Handler] = {}


def register(event_type: str) -> Callable[[Handler], Handler]:
    """Make the decorated function the handler of `event_type` (one per type)."""

    def decorate(handler: Handler) -> Handler:
        if HANDLERS.get(event_type, handler) is not handler:
            raise ValueError(f"{event_type} already has a handler: {HANDLERS[event_type]}")
        HANDLERS[event_type] = handler
        return handler

    return decorate
