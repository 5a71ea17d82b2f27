import time
from datetime import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from backstage.models import User
from tracks.models import Track

from . import buffer, merging
from .models import Source, StreamStart


def clean_origin(value: str) -> str:
    """scheme://host[:port] of an http(s) URL or origin; "" for anything else (hostile input
    included: it is stored and shown to artists)."""
    try:
        parts = urlsplit((value or "").strip()[:500])
        port = parts.port
    except ValueError:
        return ""
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return ""
    host = parts.hostname
    if not host.isascii():
        host = host.encode("idna").decode("ascii")
    origin = f"{parts.scheme}://{host}" + (f":{port}" if port else "")
    return origin[:200]


def printable(value: str, limit: int) -> str:
    """`value` without control characters (PostgreSQL refuses NUL in text), at most `limit`."""
    value = value or ""
    if value.isprintable():  # nearly always: one C call instead of a loop over characters
        return value[:limit]
    return "".join(c for c in value[: limit * 2] if c.isprintable())[:limit]


def record_stream_start(
    *, track: Track, user: User | None, source: str, origin: str = "", context: str = ""
) -> StreamStart:
    """Note that `user` (None: anonymous) started `track` from `source`."""
    if source not in Source.values:
        source = Source.DIRECT
    return StreamStart.objects.create(
        track=track,
        user=user if user and user.is_authenticated else None,
        source=source,
        origin=clean_origin(origin) if source == Source.EMBED else "",
        context=printable(context, 32),
    )


def has_worker() -> bool:
    """A beat worker drains the buffer only on the full stack (Redis configured)."""
    return bool(settings.REDIS_URL)


def buffer_beacon(
    *, claims: dict, beacon: dict, user_agent: str, ip_key: str, received: datetime | None = None
) -> None:
    """Queue one validated beacon (claims: the play token's) for the drain. `received`: when
    it arrived (now; replays and simulations of past listening pass their own)."""
    buffer.push(
        {
            **claims,
            **beacon,
            "ua": printable(user_agent, 200),
            "ip": ip_key,
            "received": (received or timezone.now()).isoformat(),
        }
    )


def drain_beacons(*, batch: int | None = None) -> int:
    """Merge one batch of buffered beacons into their play sessions and events, in one
    transaction, then acknowledge it in the buffer. Call outside any transaction.

    Idempotent: a session keeps every beacon by seq, so merging a beacon twice changes nothing,
    and whether a play counts is decided once (when it first qualifies) and never revisited.
    Returns how many beacons were drained.
    """
    with transaction.atomic():
        taken = buffer.take(batch or settings.BEACON_DRAIN_BATCH)
        merging.merge_batch(taken.entries)
    buffer.ack(taken)
    return len(taken.entries)


def drain_buffer(*, batch: int | None = None, seconds: float = 8.0) -> int:
    """Drain batch after batch until the buffer is empty or `seconds` have passed (the beat
    starts another drain every 10 s). Returns how many beacons were drained."""
    deadline = time.monotonic() + seconds
    drained = 0
    while time.monotonic() < deadline:
        moved = drain_beacons(batch=batch)
        drained += moved
        if not moved:
            break
    return drained
