"""Backstage Radio, live: one shared schedule that every listener hears at the same moment.

The schedule is LiveSlot rows in the database (so it survives restarts of every process):
contiguous slots, each a track at a fixed start, kept about HORIZON ahead of now. It is
extended lazily — when someone asks what is on air, and on a beat tick only if someone
listened in the last few minutes — so an empty room costs nothing; after a silence the next
slot starts "now", never backfilled.

"What is on air" (`now_playing`) is cached as a finished JSON body, valid until the current
slot ends, and keyed on two counters: the schedule's version (bumped after every change of
the schedule) and the catalogue generation (backstage/pagecache.py, bumped by every write to
tracks and artists, takedowns included). A bump makes the next request rebuild the body, and a
rebuild runs `ensure_schedule`, which first cuts tracks that may no longer play: a takedown,
a private track, a radio opt-out or a suspension leaves the air at the next request. On Redis
a web process reads the body at most once a second (`_Shared`), so "next" means within a
second there.
"""

import json
import random
import time
from datetime import datetime, timedelta

from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, F, OuterRef, Subquery
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from artists.models import Artist
from backstage.pagecache import GENERATION_KEY

from . import picking
from .models import LiveSlot

HORIZON = timedelta(minutes=30)
ARTIST_GAP = timedelta(hours=1)  # never the same artist twice within this
TRACK_GAP = timedelta(hours=6)  # a track is not aired again within this (if others are left)
DEFAULT_DURATION = 180.0  # seconds, for a track whose duration is unknown
UP_NEXT = 3
JUST_PLAYED = 3
CLOCK_TOLERANCE = timedelta(seconds=5)  # a schedule starting this soon has no hole before it
TUNE_GRACE = timedelta(seconds=10)  # a slot that just ended may still be tuned to
EMPTY_RETRY = 30.0  # seconds an "off air" body is kept before the schedule is tried again
POLL_SECONDS = 30  # how often the page asks what is on air (static/js/radio-live.js)
LISTENER_WINDOW = 60  # seconds: a listener is counted for two polls
ACTIVE_WINDOW = 300  # seconds: the beat extends the schedule only if someone listened lately
POOL = "discovery"
SHARE_EVERY = 1.0  # seconds: how often a web process reads /now's body from Redis (_Shared)

NOTHING_YET = (
    "Nothing to play yet: Backstage Radio starts with the first tracks artists leave in radio."
)
PAUSED = (
    "Backstage Radio is taking a breath: every artist with music in radio has been on air "
    "within the hour. Back at {back}."
)

VERSION_KEY = "radio:live:version"
BODY_KEY = "radio:live:body"
PRESENCE_KEY = "radio:live:presence"
_LOCK_ID = 0x5261646F  # "Rado": the advisory lock serialising schedule changes


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


# --- The schedule -----------------------------------------------------------------------------


def ensure_schedule(*, now: datetime | None = None, rng: random.Random = random) -> bool:
    """Cut what may no longer play, then extend the schedule to cover now … now + HORIZON.

    Returns whether the schedule changed (then the version is bumped after commit).
    """
    now = now or timezone.now()
    for attempt in range(3):
        try:
            with transaction.atomic():
                _lock()
                changed = _repair(now) | _extend(now, rng)
            break
        except IntegrityError:
            # Another process appended a slot at the same start (SQLite has no advisory
            # lock; the unique starts_at is the backstop): read its slots and go on from there.
            if attempt == 2:
                raise
    if changed:
        transaction.on_commit(bump_version)
    return changed


def _lock() -> None:
    """Two processes extending at once would both append after the same last slot and
    overlap: they take turns, for the length of the transaction."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_ID])


def _repair(now: datetime) -> bool:
    """Take tracks that may no longer play off the air at once, and close holes (a deleted
    track's slots go with it). From the first slot that is wrong, the rest is scheduled again:
    a current slot that may no longer play ends now; a hole or a later slot is dropped with
    everything after it."""
    playable = picking.radio_tracks().filter(pk=OuterRef("track_id"))
    coming = LiveSlot.objects.filter(ends_at__gt=now).order_by("starts_at")
    expected = None  # where the next slot should start
    for slot in coming.annotate(playable=Exists(playable)):
        if expected is None:  # web servers' clocks may differ a little: not a hole
            expected = slot.starts_at if slot.starts_at <= now + CLOCK_TOLERANCE else now
        if slot.starts_at != expected:  # a hole before this slot
            coming.filter(starts_at__gte=slot.starts_at).delete()
            return True
        if not slot.playable:
            if slot.starts_at < now:
                LiveSlot.objects.filter(pk=slot.pk).update(ends_at=now)
                coming.filter(starts_at__gt=now).delete()
            else:  # not begun yet (or beginning this instant): nobody has heard it
                coming.filter(starts_at__gte=slot.starts_at).delete()
            return True
        expected = slot.ends_at
    return False


def _extend(now: datetime, rng: random.Random) -> bool:
    last = LiveSlot.objects.order_by("-starts_at").first()
    cursor = max(last.ends_at, now) if last else now  # after a silence: from now, no backfill
    if cursor >= now + HORIZON:
        return False
    picking.ensure_pool(POOL, now=now)
    added = False
    while cursor < now + HORIZON:
        track = _pick(cursor, rng)
        if track is None:
            break  # nothing may play now: the station is off air until something can
        ends_at = cursor + timedelta(seconds=track.duration or DEFAULT_DURATION)
        LiveSlot.objects.create(
            track=track, artist_id=track.artist_id, starts_at=cursor, ends_at=ends_at
        )
        cursor, added = ends_at, True
    return added


def _pick(starts_at: datetime, rng: random.Random):
    """The next slot's track: no artist heard within the hour (later slots included), and
    preferably no track aired in the last six hours."""
    recent = LiveSlot.objects.filter(starts_at__gt=starts_at - ARTIST_GAP).values("artist_id")
    aired = LiveSlot.objects.filter(starts_at__gt=starts_at - TRACK_GAP).values("track_id")
    track = picking.pick_track(POOL, avoid_artists=recent, exclude_tracks=aired, rng=rng)
    if track is None:  # a small catalogue: a track again rather than silence
        track = picking.pick_track(POOL, avoid_artists=recent, rng=rng)
    return track


def extend_if_listened(*, now: datetime | None = None) -> bool:
    """The beat's tick: keep the schedule ahead only while someone listens (no pile-up)."""
    if not listeners(within=ACTIVE_WINDOW):
        return False
    return ensure_schedule(now=now)


# --- Cache counters ---------------------------------------------------------------------------


def bump_version() -> None:
    """Every cached "on air" body is stale (call after committing a schedule change)."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # not set yet, or evicted: any new value is a new version
        cache.set(VERSION_KEY, int(time.time() * 1000), timeout=None)


# --- On air -----------------------------------------------------------------------------------


def _slot_json(slot: LiveSlot) -> dict:
    track = slot.track
    cover = track.display_cover
    return {
        "slot": slot.pk,
        "track": track.public_id,
        "title": track.title,
        "artist": slot.artist.name,
        "artist_url": slot.artist.get_absolute_url(),
        "url": track.get_absolute_url(),
        "cover": cover.url if cover else None,
        "duration": (slot.ends_at - slot.starts_at).total_seconds(),
        "starts_at": _ms(slot.starts_at),
        "ends_at": _ms(slot.ends_at),
    }


def on_air(*, now: datetime) -> dict:
    """The schedule around `now` (two queries): what plays, what comes, what just played."""
    slots = LiveSlot.objects.select_related("track__release", "artist")
    coming = list(slots.filter(ends_at__gt=now).order_by("starts_at")[: UP_NEXT + 1])
    played = list(slots.filter(ends_at__lte=now).order_by("-starts_at")[:JUST_PLAYED])
    current = coming[0] if coming and coming[0].starts_at <= now else None
    upcoming = coming[1:] if current else coming[:UP_NEXT]
    if current:
        valid_until = _ms(current.ends_at)
    elif upcoming:
        valid_until = _ms(upcoming[0].starts_at)
    else:
        valid_until = _ms(now) + int(EMPTY_RETRY * 1000)
    message, back = "", None
    if current is None and picking.radio_tracks().exists():
        back = upcoming[0].starts_at if upcoming else back_on_air(now=now)
        message = PAUSED.format(back=f"{back:%H:%M} UTC" if back else "any moment")
    elif current is None:
        message = NOTHING_YET
    return {
        "on_air": current is not None,
        "message": message,
        "back_at": _ms(back) if back else None,
        "current": _slot_json(current) if current else None,
        "up_next": [_slot_json(s) for s in upcoming],
        "just_played": [_slot_json(s) for s in played],
        "valid_until": valid_until,
    }


def back_on_air(*, now: datetime) -> datetime | None:
    """When a paused station plays again under the hour rule: an hour after the latest slot
    of the artist with music in radio who has waited longest (one query). None if one of them
    may play already, or was never on air (the next rebuild schedules them)."""
    last_slot = LiveSlot.objects.filter(artist_id=OuterRef("pk")).order_by("-starts_at")
    latest = (
        Artist.objects.filter(pk__in=picking.radio_tracks().order_by().values("artist_id"))
        .annotate(last=Subquery(last_slot.values("starts_at")[:1]))
        .order_by(F("last").asc(nulls_first=True))
        .values_list("last", flat=True)
        .first()
    )
    if latest is None or latest + ARTIST_GAP <= now:
        return None
    return latest + ARTIST_GAP


def now_playing(*, listener_key: str | None, now: datetime | None = None) -> bytes:
    """The JSON body of GET /radio/live/now, and this listener counted as listening (a tuned-in
    listener's poll; None for a page open without listening).

    The body is cached until the current slot ends or the schedule or catalogue changes; then
    one request rebuilds it. On Redis a web process speaks to Redis at most every SHARE_EVERY
    seconds (see _Shared); otherwise one local cache round trip a request.
    """
    now = now or timezone.now()
    shared = _redis()
    if shared is None:
        stamp, cached, listening = _local_round_trip(listener_key, now=now)
        body, _ = _still_valid(cached, stamp=stamp, now=now) or _rebuild(None, stamp, now=now)
    else:
        if listener_key is not None:
            shared.heard[listener_key] = now.timestamp()
        if shared.fresh(now):
            body, listening = shared.body, shared.listening
        else:
            stamp, cached, listening = shared.round_trip(now=now)
            body, valid_until = _still_valid(cached, stamp=stamp, now=now) or _rebuild(
                shared.client, stamp, now=now
            )
            shared.keep(body=body, valid_until=valid_until, listening=listening)
    return f'{body[:-1]},"server_time":{_ms(timezone.now())},"listeners":{listening}}}'.encode()


def _stamp(version, generation) -> str:
    """What a cached body depends on. Django stores integers in Redis as their digits, so
    the raw bytes read by the script and the values read through the cache compare alike."""

    def text(value) -> str:
        return value.decode() if isinstance(value, bytes) else "" if value is None else str(value)

    return f"{text(version)}:{text(generation)}"


def _still_valid(cached, *, stamp: str, now: datetime) -> tuple[str, int] | None:
    """The cached body ("<stamp>|<valid until, ms>|<json>") and its end of validity, if it is
    still the one to serve."""
    if not cached:
        return None
    if isinstance(cached, bytes):
        cached = cached.decode()
    cached_stamp, valid_until, body = cached.split("|", 2)
    if cached_stamp != stamp or int(valid_until) <= _ms(now):
        return None
    return body, int(valid_until)


def _rebuild(client, stamp: str, *, now: datetime) -> tuple[str, int]:
    if ensure_schedule(now=now):
        bump_version()  # now as well as after commit: this body carries the new version
        stamp = _stamp(cache.get(VERSION_KEY), cache.get(GENERATION_KEY))
    state = on_air(now=now)
    body = json.dumps(state, separators=(",", ":"))
    value = f"{stamp}|{state['valid_until']}|{body}"
    if client is not None:
        client.set(cache.make_and_validate_key(BODY_KEY), value.encode(), ex=3600)
    else:
        cache.set(BODY_KEY, value, timeout=3600)
    return body, state["valid_until"]


# --- Presence ---------------------------------------------------------------------------------


def _redis() -> "_Shared | None":
    """This thread's _Shared (one per cache backend, and Django makes a backend per thread),
    or None for a local-memory cache."""
    backend = caches["default"]  # `cache` is a proxy: ask for the backend itself
    if not isinstance(backend, RedisCache):
        return None
    if not hasattr(backend, "_radio_live"):
        # Django's own get_client() builds a client object per call: keep one.
        backend._radio_live = _Shared(backend._cache.get_client(write=True))
    return backend._radio_live


class _Shared:
    """A web process's view of the live station's Redis side, so that most requests to
    /radio/live/now cost no round trip at all: the body and audience it last read, and the
    listeners it heard since. At most every SHARE_EVERY seconds (or when the body's slot ends)
    a request sends those listeners and reads everything again, in one round trip. A takedown
    or a new listener shows within that second; at 10,000 listeners polling every 30 s a
    process speaks to Redis once a second instead of hundreds of times."""

    def __init__(self, client):
        self.client = client
        self.script = client.register_script(_ROUND_TRIP)
        self.heard: dict[str, float] = {}
        self.read_at = float("-inf")
        self.body, self.valid_until, self.listening = "", 0, 0

    def fresh(self, now: datetime) -> bool:
        return time.monotonic() - self.read_at < SHARE_EVERY and self.valid_until > _ms(now)

    def round_trip(self, *, now: datetime) -> tuple[str, bytes, int]:
        """Send the listeners heard, forget the long silent, read the counters, the body and
        the audience (listeners heard within LISTENER_WINDOW): one EVALSHA."""
        seen = now.timestamp()
        heard, self.heard = self.heard, {}
        keys = [
            cache.make_and_validate_key(key)
            for key in (VERSION_KEY, GENERATION_KEY, BODY_KEY, PRESENCE_KEY)
        ]
        args = [seen - LISTENER_WINDOW, seen - ACTIVE_WINDOW, ACTIVE_WINDOW]
        for listener, at in heard.items():
            args += [listener, at]
        version, generation, body, listening = self.script(keys=keys, args=args)
        return _stamp(version, generation), body, listening

    def keep(self, *, body: str, valid_until: int, listening: int) -> None:
        self.read_at = time.monotonic()
        self.body, self.valid_until, self.listening = body, valid_until, listening


# One command (EVALSHA) rather than a pipeline: redis-py's per-command machinery is a good part
# of the cost. KEYS: version, generation, body, presence; ARGV: counted since, forgotten before,
# presence TTL, then listener, last seen, listener, last seen… Returns version, generation,
# body and the audience (MGET answers false, never nil, for a missing key: no holes).
_ROUND_TRIP = """
local members = {}
for i = 4, #ARGV, 2 do
  members[#members + 1] = ARGV[i + 1]
  members[#members + 1] = ARGV[i]
  if #members >= 1000 then
    redis.call('ZADD', KEYS[4], unpack(members))
    members = {}
  end
end
if #members > 0 then redis.call('ZADD', KEYS[4], unpack(members)) end
local listening = redis.call('ZCOUNT', KEYS[4], ARGV[1], '+inf')
redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', ARGV[2])
redis.call('EXPIRE', KEYS[4], ARGV[3])
local found = redis.call('MGET', KEYS[1], KEYS[2], KEYS[3])
found[4] = listening
return found
"""


def _local_round_trip(listener_key: str | None, *, now: datetime) -> tuple[str, str, int]:
    """The same through a local-memory cache (one process: tests and the embedded default);
    the audience is a dict."""
    found = cache.get_many([VERSION_KEY, GENERATION_KEY, BODY_KEY, PRESENCE_KEY])
    seen = now.timestamp()
    audience = {k: t for k, t in found.get(PRESENCE_KEY, {}).items() if t > seen - ACTIVE_WINDOW}
    if listener_key is not None:
        audience[listener_key] = seen
        cache.set(PRESENCE_KEY, audience, ACTIVE_WINDOW)
    listening = sum(t > seen - LISTENER_WINDOW for t in audience.values())
    return _stamp(found.get(VERSION_KEY), found.get(GENERATION_KEY)), found.get(BODY_KEY), listening


def listeners(*, within: int = LISTENER_WINDOW) -> int:
    """How many tuned-in listeners asked what is on air within the last `within` seconds."""
    since = time.time() - within
    shared = _redis()
    if shared is not None:
        return shared.client.zcount(cache.make_and_validate_key(PRESENCE_KEY), since, "+inf")
    return sum(t > since for t in cache.get(PRESENCE_KEY, {}).values())


# --- Tuning in --------------------------------------------------------------------------------


def access_live_slot(*, slot_id, now: datetime | None = None) -> LiveSlot:
    """The slot if it is on air now (or ended within TUNE_GRACE) with a track that may still
    play; Http404 otherwise, for any other slot or id."""
    now = now or timezone.now()
    slot = (
        LiveSlot.objects.select_related("track__artist", "track__release")
        .filter(
            pk=slot_id,
            starts_at__lte=now,
            ends_at__gt=now - TUNE_GRACE,
            track__in=picking.radio_tracks(),
        )
        .first()
    )
    if slot is None:
        raise Http404("This is not on air now.")
    return slot


def player_item(*, slot: LiveSlot, play_id: int, now: datetime | None = None) -> dict:
    """What the global player needs to join the slot where it is now."""
    now = now or timezone.now()
    item = _slot_json(slot)
    return {
        **item,
        "id": slot.track.public_id,
        "src": reverse("tracks:track_play", kwargs={"public_id": slot.track.public_id}),
        "source": "radio",
        "context": f"live:{slot.pk}",
        "startAt": max(0.0, (now - slot.starts_at).total_seconds()),
        "play": play_id,
        "server_time": _ms(now),
    }
