"""Stripe webhooks: verify, record once, process later in a task, each event exactly once.

The view (payments/views.py) hands the raw body to `receive_event`, which checks the signature
against STRIPE_WEBHOOK_SECRET, records a WebhookEvent (a known event id is a duplicate: nothing
more happens) and enqueues `payments.process_webhook_event` after commit. The task calls
`process_event`, which runs the handler registered for the event's type. Handlers re-fetch what
they need through stripe_client(), as Stripe sends events in no particular order and a snapshot
may be stale; they must be idempotent. An event type nobody handles is recorded and marked
processed.
"""

import datetime
import json
import logging
from collections.abc import Callable

import stripe
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from .models import WebhookEvent

logger = logging.getLogger(__name__)

Handler = Callable[[stripe.Event], None]
HANDLERS: dict[str, Handler] = {}
MAX_ERROR_LENGTH = 2000


class WebhookRefused(Exception):
    """The request is not a genuine, well-formed Stripe event: answer 400, record nothing."""


def register(event_type: str) -> Callable[[Handler], Handler]:
    """Make the decorated function the handler of `event_type` (one per type)."""

    def decorate(handler: Handler) -> Handler:
        if HANDLERS.get(event_type, handler) is not handler:
            raise ValueError(f"{event_type} already has a handler: {HANDLERS[event_type]}")
        HANDLERS[event_type] = handler
        return handler

    return decorate


def verify_event(*, payload: bytes, signature: str | None) -> stripe.Event:
    """The event in `payload` if Stripe signed it with our secret lately; else WebhookRefused.

    STRIPE_WEBHOOK_SECRET may hold several secrets, comma-separated: on Stripe, the endpoint for
    connected accounts' events (account.updated) has a secret of its own.
    """
    if not signature:
        raise WebhookRefused("Missing Stripe-Signature header.")
    secrets = [s.strip() for s in settings.STRIPE_WEBHOOK_SECRET.split(",") if s.strip()]
    for secret in secrets:
        try:
            event = stripe.Webhook.construct_event(payload.decode(), signature, secret)
        except stripe.SignatureVerificationError as error:
            refusal = WebhookRefused(f"Bad signature: {error.user_message or error}")
            continue
        except (ValueError, AttributeError, TypeError):  # not UTF-8, not JSON, not an object
            raise WebhookRefused("The body is not a JSON event.") from None
        break
    else:
        raise refusal if secrets else WebhookRefused("No webhook secret is configured.")
    # The body as sent (not event.to_dict(), which leaves lists nested in lists as objects JSON
    # cannot encode), checked for text PostgreSQL refuses: NUL, and lone UTF-16 surrogates.
    data = json.loads(payload.decode())
    if not isinstance(data, dict):
        raise WebhookRefused("The body is not a JSON event.")
    if _unstorable(data):
        raise WebhookRefused(
            "The event holds text that cannot be stored (NUL or a lone surrogate)."
        )
    event_id, event_type = data.get("id"), data.get("type")
    if not (isinstance(event_id, str) and event_id.startswith("evt_") and len(event_id) <= 255):
        raise WebhookRefused("The event has no valid id.")
    if not (isinstance(event_type, str) and 0 < len(event_type) <= 255):
        raise WebhookRefused("The event has no valid type.")
    return event


def _unstorable(value) -> bool:
    """Whether a parsed JSON value holds, in any key or string, a NUL character (PostgreSQL
    text and jsonb refuse it) or a lone surrogate (not encodable as UTF-8)."""
    if isinstance(value, str):
        return "\x00" in value or (not value.isascii() and _not_utf8(value))
    if isinstance(value, dict):
        return any(_unstorable(k) or _unstorable(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_unstorable(v) for v in value)
    return False


def _not_utf8(text: str) -> bool:
    try:
        text.encode()
    except UnicodeEncodeError:
        return True
    return False


def receive_event(*, payload: bytes, signature: str | None) -> tuple[WebhookEvent, bool]:
    """Record a verified event and enqueue its processing; (row, False) for a duplicate.

    With the task queue unreachable (Redis down) the row is kept but the enqueue raises, so
    Stripe is answered 503 and delivers again: a duplicate of an event no task has tried yet is
    enqueued again, and the payment is booked soon after Redis returns rather than at the next
    sweep. process_event runs each event once, so an extra task does nothing.
    """
    from .tasks import process_webhook_event

    event = verify_event(payload=payload, signature=signature)
    data = json.loads(payload.decode())  # as sent (see verify_event)
    with transaction.atomic():
        # Two deliveries of one event racing here: the unique stripe_id admits one row, and
        # get_or_create hands the loser the winner's row.
        row, created = WebhookEvent.objects.get_or_create(
            stripe_id=event.id, defaults={"type": event.type, "payload": data}
        )
        if created or (row.processed_at is None and row.last_attempt_at is None):
            transaction.on_commit(lambda: process_webhook_event.delay(row.id))
    return row, created


def process_event(*, event_row_id: int) -> None:
    """Run the handler of a recorded event, once: a processed event is never run again.

    The row stays locked while its handler runs, so a second delivery of the task waits and
    then finds it processed. A failing handler rolls back everything it wrote; the attempt and
    its error are recorded and the exception goes back to the task, which retries.
    """
    try:
        with transaction.atomic():
            row = (
                WebhookEvent.objects.select_for_update()
                .filter(id=event_row_id, processed_at__isnull=True)
                .first()
            )
            if row is None:
                return  # processed by an earlier delivery of this task
            handler = HANDLERS.get(row.type)
            malformed = handler is not None and not _object_id(row.payload)
            if handler is not None and not malformed:
                handler(stripe.Event.construct_from(row.payload, settings.STRIPE_SECRET_KEY))
            row.attempts += 1
            row.processed_at = row.last_attempt_at = timezone.now()
            # Signed, but its object has no id to re-fetch: retrying cannot help, so it is
            # closed at once with the reason kept for an admin (not retried for ~42 hours).
            row.last_error = MALFORMED if malformed else ""
            row.save(update_fields=["attempts", "processed_at", "last_attempt_at", "last_error"])
    except Exception as error:
        logger.warning("webhook event %s failed: %s", event_row_id, error)
        WebhookEvent.objects.filter(id=event_row_id, processed_at__isnull=True).update(
            attempts=F("attempts") + 1,
            last_error=repr(error)[:MAX_ERROR_LENGTH],
            last_attempt_at=timezone.now(),
        )
        raise


MALFORMED = "Malformed: the event's object has no id, so there is nothing to re-fetch or book."


def _object_id(payload: dict) -> str | None:
    obj = (payload.get("data") or {}).get("object") if isinstance(payload, dict) else None
    object_id = obj.get("id") if isinstance(obj, dict) else None
    return object_id if isinstance(object_id, str) and object_id else None


def sweep_backoff(sweeps: int) -> datetime.timedelta:
    """How long after its last attempt an event swept `sweeps` times is queued again."""
    return datetime.timedelta(seconds=settings.WEBHOOK_SWEEP_BACKOFF * 2**sweeps)


def sweep_failed_events(*, batch: int = 500) -> list[int]:
    """Queue again the unprocessed events whose task gave up (or whose task was lost), each
    once its backoff has passed; the ids queued. Events swept WEBHOOK_SWEEP_LIMIT times are
    left alone, for an admin (WebhookEvent.given_up; admin filter "failed: given up").

    The first backoff (10 minutes) is far longer than a task's own retries (about 30 s), so an
    event still being retried by its task is not queued twice; if it were, process_event's row
    lock and processed_at make the second delivery do nothing.
    """
    from .tasks import process_webhook_event

    if settings.WEBHOOK_SWEEP_LIMIT <= 0:
        return []  # sweeping switched off
    now = timezone.now()
    # Due: the last attempt (or the receipt, for an event whose task was lost) lies longer ago
    # than its backoff: one condition per number of sweeps so far, all in SQL.
    due_now = Q()
    for sweeps in range(settings.WEBHOOK_SWEEP_LIMIT):
        due_now |= Q(sweeps=sweeps, tried_at__lte=now - sweep_backoff(sweeps))
    with transaction.atomic():
        # skip_locked: a row a worker is processing right now is its business, and two sweeps
        # at once each take different rows instead of queuing the same event twice.
        due = list(
            WebhookEvent.objects.select_for_update(skip_locked=True)
            .filter(processed_at__isnull=True)
            .alias(tried_at=Coalesce("last_attempt_at", "received_at"))
            .filter(due_now)
            .order_by("received_at")
            .values_list("id", flat=True)[:batch]
        )
        WebhookEvent.objects.filter(id__in=due).update(sweeps=F("sweeps") + 1)
        for pk in due:
            transaction.on_commit(lambda pk=pk: process_webhook_event.delay(pk))
    if due:
        logger.info("webhook sweep queued %d event(s) again", len(due))
    return due
