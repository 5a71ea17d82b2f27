"""Celery's interface to notifications: thin, taking ids."""

from celery import shared_task


@shared_task(name="notifications.email", autoretry_for=(OSError,), retry_backoff=True)
def email_notification(*, notification_id: int) -> bool:
    from . import services

    return services.email_notification(notification_id=notification_id)
