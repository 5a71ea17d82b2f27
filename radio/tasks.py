from celery import shared_task
from django.utils import timezone

from . import exposure, live, picking, retention, similarity
from .models import PoolTrack, StationPool


@shared_task(name="radio.refresh_pools")
def refresh_pools() -> int:
    """Rebuild the pools used in the last half hour, drop those unused for a day (the ones in
    between are rebuilt at their next use)."""
    now = timezone.now()
    busy = StationPool.objects.filter(used_at__gte=now - picking.POOL_BUSY_WITHIN)
    keys = list(busy.values_list("key", flat=True))
    for key in keys:
        picking.refresh_pool(key)
    since = now - picking.POOL_IDLE_AFTER
    idle = StationPool.objects.filter(used_at__lt=since)
    PoolTrack.objects.filter(pool__in=idle.values("key")).delete()
    idle.delete()
    return len(keys)


@shared_task(name="radio.refresh_exposure")
def refresh_exposure() -> int:
    return exposure.refresh_exposure()


@shared_task(name="radio.tick_live")
def tick_live() -> bool:
    """Keep the live schedule ahead while someone listens (an empty room costs one count)."""
    return live.extend_if_listened()


@shared_task(name="radio.refresh_similarity")
def refresh_similarity() -> int:
    """Nightly: artist radio's neighbours from co-listening and shared tags."""
    return similarity.refresh_similarity()


@shared_task(name="radio.prune_anonymous")
def prune_anonymous() -> tuple[int, int]:
    """Daily: forget the stations and tastes of anonymous listeners gone for two days."""
    return retention.prune_anonymous_listeners()
