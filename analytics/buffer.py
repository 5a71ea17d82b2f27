"""Where beacons wait for the drain: a Redis list on the full stack, else a database table.

If Redis is configured but unreachable, the beacon goes to the table instead (marked
`via_fallback` and logged), so the beacon endpoint never fails because of Redis. The drain
reads both. Popping from Redis is LRANGE + LTRIM in one MULTI: a drain that crashes after
popping loses that batch (at most once); the table is popped inside the drain's transaction.
"""

import functools
import json
import logging

import redis
from django.conf import settings

from .models import BufferedBeacon

KEY = "analytics:beacons"
log = logging.getLogger(__name__)


@functools.lru_cache(maxsize=4)
def _client(url: str) -> redis.Redis:
    """One connection pool per URL and process (short timeouts: a beacon never waits long)."""
    return redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5)


def _redis() -> redis.Redis | None:
    return _client(settings.REDIS_URL) if settings.REDIS_URL else None


def push(entry: dict) -> None:
    client = _redis()
    if client is not None:
        try:
            client.rpush(KEY, json.dumps(entry))
            return
        except redis.RedisError:
            log.warning("analytics buffer: Redis unreachable, beacon kept in the database")
    BufferedBeacon.objects.create(payload=entry, via_fallback=client is not None)


def pop_batch(size: int) -> list[dict]:
    """Up to `size` beacons, oldest first (Redis first, then the table). Call in a transaction."""
    entries: list[dict] = []
    client = _redis()
    if client is not None:
        try:
            pipe = client.pipeline()
            pipe.lrange(KEY, 0, size - 1).ltrim(KEY, size, -1)
            raw, _ = pipe.execute()
            entries = [json.loads(item) for item in raw]
        except redis.RedisError:
            log.warning("analytics buffer: Redis unreachable, draining the database only")
    room = size - len(entries)
    rows = BufferedBeacon.objects.select_for_update(skip_locked=True).order_by("id")
    rows = list(rows.values_list("id", "payload")[:room]) if room > 0 else []
    BufferedBeacon.objects.filter(id__in=[row_id for row_id, _ in rows]).delete()
    return entries + [payload for _, payload in rows]


def fallback_count() -> int:
    """Beacons that landed in the table because Redis was down (and are not drained yet)."""
    return BufferedBeacon.objects.filter(via_fallback=True).count()
