from celery import shared_task


@shared_task(name="analytics.drain_beacons")
def drain_beacons(*, batch: int | None = None) -> int:
    from . import services

    return services.drain_buffer(batch=batch)


@shared_task(name="analytics.create_partitions")
def create_partitions(*, ahead: int = 2) -> list[str]:
    from . import partitions

    return partitions.ensure_months(ahead=ahead)


@shared_task(name="analytics.compute_segments")
def compute_segments() -> int:
    from . import segments, stats

    return segments.compute_all(on=stats.today())
