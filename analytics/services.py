from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from backstage.models import User
from tracks.models import Track

from . import buffer, counting, listeners, rollups
from .models import PlayEvent, PlaySession, Source, StreamStart

BOT_MARKERS = ("bot", "spider", "crawl", "headlesschrome", "python-requests", "curl")


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
        context=(context or "")[:32],
    )


def has_worker() -> bool:
    """A beat worker drains the buffer only on the full stack (Redis configured)."""
    return bool(settings.REDIS_URL)


def buffer_beacon(*, claims: dict, beacon: dict, user_agent: str, ip_key: str) -> None:
    """Queue one validated beacon (claims: the play token's) for the drain."""
    buffer.push(
        {
            **claims,
            **beacon,
            "ua": user_agent[:200],
            "ip": ip_key,
            "received": timezone.now().isoformat(),
        }
    )


def drain_beacons(*, batch: int = 1000) -> int:
    """Merge up to `batch` buffered beacons into their play sessions and events.

    Idempotent: a session keeps every beacon by seq, so merging a beacon twice changes nothing,
    and whether a play counts is decided once (when it first qualifies) and never revisited.
    Returns how many beacons were drained.
    """
    with transaction.atomic():
        entries = buffer.pop_batch(batch)
        by_nonce: dict[str, list[dict]] = {}
        for entry in entries:
            by_nonce.setdefault(entry["n"], []).append(entry)
        tracks = Track.objects.in_bulk({entries[0]["t"] for entries in by_nonce.values()})
        for nonce, group in by_nonce.items():
            track = tracks.get(group[0]["t"])
            if track is not None:  # deleted since: its beacons are dropped
                _merge(nonce=nonce, track=track, entries=group)
    return len(entries)


def _merge(*, nonce: str, track: Track, entries: list[dict]) -> None:
    first = entries[0]
    # Lock the session: two drains merging beacons of the same token would lose one's beacons.
    session, _ = PlaySession.objects.select_for_update().get_or_create(
        nonce=nonce, defaults={"track": track, "user_agent": first["ua"]}
    )
    known = {row[0] for row in session.beacons}
    for entry in entries:
        if entry["seq"] not in known:
            known.add(entry["seq"])
            session.beacons.append([entry["seq"], entry["event"], entry["position"], entry["at"]])
    session.save(update_fields=["beacons", "updated_at"])
    state = counting.listening(
        [counting.Beacon(*row) for row in session.beacons], duration=track.duration
    )
    event, created = PlayEvent.objects.get_or_create(
        nonce=nonce,
        defaults={
            "track": track,
            "listener_key": first["l"],
            "ip_key": first["ip"],
            "source": first["s"],
            "origin": first["o"],
            "context": first["c"],
            "started_at": datetime.fromtimestamp(first["i"], tz=UTC),
            "release_id": track.release_id,
            "artist_id": track.artist_id,
        },
    )
    before = rollups.EventState.of(event) if not created else None
    event.heard_seconds = state.heard
    event.completion = state.completion
    event.skipped_early = state.skipped_early
    decided = event.counted or event.flagged
    if state.qualifies and not decided:
        event.flag_reason = _flag_reason(event=event, user_agent=session.user_agent)
        event.flagged = bool(event.flag_reason)
        event.counted = not event.flagged
        event.counted_at = timezone.now() if event.counted else None
        if event.counted:
            listeners.record([event])
    event.save()
    rollups.apply_changes([(before, rollups.EventState.of(event))])


def _flag_reason(*, event: PlayEvent, user_agent: str) -> str:
    """Why this otherwise qualifying play must not count ("" if it counts)."""
    ua = user_agent.lower()
    if not ua or any(marker in ua for marker in BOT_MARKERS):
        return "bot user agent"
    now = timezone.now()
    today = PlayEvent.objects.filter(track=event.track, counted=True, counted_at__date=now.date())
    if today.filter(listener_key=event.listener_key).count() >= settings.PLAY_CAP_PER_LISTENER:
        return "listener daily cap"
    if event.ip_key and today.filter(ip_key=event.ip_key).count() >= settings.PLAY_CAP_PER_IP:
        return "IP daily cap"
    # Nobody hears more than an hour of audio in an hour (10 % slack for clock drift).
    last_hour = (
        PlayEvent.objects.filter(
            listener_key=event.listener_key, counted=True, counted_at__gte=now - timedelta(hours=1)
        ).aggregate(heard=Sum("heard_seconds"))["heard"]
        or 0
    )
    if last_hour + event.heard_seconds > 3600 * 1.1:
        return "impossible listening rate"
    return ""
