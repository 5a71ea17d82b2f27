"""Celery's interface to moderation: thin, taking ids."""

from celery import shared_task


@shared_task(name="moderation.email_outcomes", autoretry_for=(OSError,), retry_backoff=True)
def email_outcomes(*, report_ids: list[int]) -> int:
    from . import services

    return services.email_outcomes(report_ids=report_ids)
