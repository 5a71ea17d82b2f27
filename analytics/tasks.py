from celery import shared_task


@shared_task(name="analytics.drain_beacons")
def drain_beacons(*, batch: int | None = None) -> int:
    from . import services

    return services.drain_buffer(batch=batch)
