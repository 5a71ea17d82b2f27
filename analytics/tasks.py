from celery import shared_task


@shared_task(name="analytics.drain_beacons")
def drain_beacons(*, batch: int = 1000) -> int:
    from . import services

    return services.drain_beacons(batch=batch)
