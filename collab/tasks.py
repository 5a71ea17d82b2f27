"""Celery's interface to the board: thin, calling services."""

from celery import shared_task


@shared_task(name="collab.close_expired_calls")
def close_expired_calls() -> int:
    """Beat, hourly: close calls whose deadline day has ended (idempotent: a closed call is
    not closed, nor its applicants told, twice)."""
    from . import services

    return services.close_expired_calls()
