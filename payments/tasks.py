"""Celery's interface to the payment services: thin, idempotent, taking ids."""

from celery import shared_task


@shared_task(
    name="payments.process_webhook_event",
    autoretry_for=(Exception,),
    retry_backoff=True,
    max_retries=5,
)
def process_webhook_event(event_row_id: int) -> None:
    """Run a recorded Stripe event's handler; a processed event does nothing."""
    from . import webhooks

    webhooks.process_event(event_row_id=event_row_id)


@shared_task(name="payments.sweep_failed_webhooks")
def sweep_failed_webhooks() -> None:
    """Every 5 minutes (CELERY_BEAT_SCHEDULE): failed events queued again, with backoff."""
    from . import webhooks

    webhooks.sweep_failed_events()


@shared_task(name="payments.run_payouts")
def run_payouts() -> None:
    """Monthly (CELERY_BEAT_SCHEDULE), and when an admin presses "Run payouts now"."""
    from . import payouts

    payouts.run_payouts()


@shared_task(name="payments.retry_pending_payouts")
def retry_pending_payouts() -> None:
    """Hourly (CELERY_BEAT_SCHEDULE): payouts and clawbacks a dead worker left pending."""
    from . import payouts

    payouts.retry_pending()


@shared_task(name="payments.send_clawback")
def send_clawback(clawback_id: int) -> None:
    """Ask Stripe to reverse the transfer; a failure stays pending for the next run_payouts."""
    from . import payouts

    payouts.send_clawback(clawback_id=clawback_id)


@shared_task(name="payments.distribute_supporters")
def distribute_supporters(month: str | None = None) -> None:
    """Share out a month's supporter pool ("2026-11"; default: every ended month with money
    no run has shared yet, last month's first of all on the 1st). Idempotent."""
    from . import distribution

    if month:
        distribution.distribute_month(month=distribution.parse_month(month))
    else:
        distribution.distribute_ended_months()


@shared_task(
    name="payments.end_plan_of_suspended",
    autoretry_for=(Exception,),
    retry_backoff=True,
    max_retries=8,
)
def end_plan_of_suspended(user_id: int) -> None:
    """A suspended fan is charged no more: their supporter plan ends with the month paid for
    (queued by moderation.actions.suspend_user; retried while Stripe does not answer)."""
    from backstage.models import User

    from .supporters import cancel_plan

    user = User.objects.filter(pk=user_id, suspended_at__isnull=False).first()
    if user is not None:
        cancel_plan(fan=user)
