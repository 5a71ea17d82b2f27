"""Celery's interface to the artists' services: thin, idempotent, taking ids."""

from celery import shared_task


@shared_task(name="artists.send_announcement", autoretry_for=(OSError,), retry_backoff=True)
def send_announcement(*, announcement_id: int) -> int:
    """E-mail followers about new music (see artists/notifications.py); safe to repeat."""
    from . import notifications

    return notifications.send_announcement(announcement_id=announcement_id)
