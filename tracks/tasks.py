"""Celery's interface to the audio services: thin, idempotent, taking ids."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from .audio.errors import TransientAudioError


@shared_task(
    name="tracks.process_upload",
    # The database restarting under a running task is the machine's problem too: try again.
    autoretry_for=(TransientAudioError, OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=5,
)
def process_upload(*, track_id: int) -> None:
    from . import services

    services.process_track_audio(track_id=track_id)


@shared_task(name="tracks.fail_stale_processing")
def fail_stale_processing() -> int:
    from . import services

    return services.fail_stale_processing()


@shared_task(name="tracks.requeue_unqueued")
def requeue_unqueued() -> int:
    from . import services

    return services.requeue_unqueued_processing()


@shared_task(name="tracks.purge_abandoned_uploads")
def purge_abandoned_uploads() -> int:
    from . import services

    return services.purge_abandoned_uploads()
