"""Merging a batch of beacons into play sessions and events, in a few queries per batch.

Per batch: the tracks, the sessions (locked), the events, the fraud caps' counts for the
batch's listeners and IPs, then bulk inserts and updates, one `listeners.record` and one
`rollups.apply_changes`. The caps are read once and kept up to date in memory as the batch
counts plays, so plays are decided exactly as if they were merged one at a time, in order.
"""

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import connection
from django.db.models import Count, Q, Sum
from django.utils import timezone

from tracks.models import Track

from . import counting, inserts, listeners, rollups
from .models import PlayEvent, PlaySession

BOT_MARKERS = ("bot", "spider", "crawl", "headlesschrome", "python-requests", "curl")
DECISION_FIELDS = ("heard_seconds", "completion", "skipped_early")
VERDICT_FIELDS = ("counted", "counted_at", "flagged", "flag_reason")


@dataclass
class Caps:
    """Counted plays today per (track, listener) and (track, ip), and seconds heard in the last
    hour per listener: read once for a batch, then updated as the batch counts plays."""

    now: datetime
    per_listener: Counter = field(default_factory=Counter)
    per_ip: Counter = field(default_factory=Counter)
    heard: defaultdict = field(default_factory=lambda: defaultdict(float))

    @classmethod
    def load(cls, *, events: list[PlayEvent], now: datetime) -> "Caps":
        caps = cls(now=now)
        keys = {event.listener_key for event in events}
        ips = {event.ip_key for event in events if event.ip_key}
        midnight = rollups.day_of(now)  # the UTC day, as a range the indexes can use
        tomorrow, hour_ago = midnight + timedelta(days=1), now - timedelta(hours=1)
        counted = PlayEvent.objects.filter(counted=True, counted_at__lt=tomorrow)
        # The batch's listeners' counted plays (listener_key index): today's per track, and
        # the seconds heard in the last hour, in one query.
        per_listener = (
            counted.filter(listener_key__any_of=keys, counted_at__gte=min(midnight, hour_ago))
            .values_list("track_id", "listener_key")
            .annotate(
                today=Count("id", filter=Q(counted_at__gte=midnight)),
                heard=Sum("heard_seconds", filter=Q(counted_at__gte=hour_ago)),
            )
            .order_by()
        )
        for track_id, listener_key, today, heard in per_listener:
            caps.per_listener[(track_id, listener_key)] = today
            caps.heard[listener_key] += heard or 0
        # The batch's IPs' counted plays today, per track (index on ip_key, counted_at).
        per_ip = (
            counted.filter(ip_key__any_of=ips, counted_at__gte=midnight)
            .values_list("track_id", "ip_key")
            .annotate(n=Count("id"))
            .order_by()
        )
        for track_id, ip_key, n in per_ip if ips else ():
            caps.per_ip[(track_id, ip_key)] = n
        return caps

    def flag_reason(self, *, event: PlayEvent, user_agent: str) -> str:
        """Why this otherwise qualifying play must not count ("" if it counts)."""
        ua = user_agent.lower()
        if not ua or any(marker in ua for marker in BOT_MARKERS):
            return "bot user agent"
        if (
            self.per_listener[(event.track_id, event.listener_key)]
            >= settings.PLAY_CAP_PER_LISTENER
        ):
            return "listener daily cap"
        if event.ip_key and self.per_ip[(event.track_id, event.ip_key)] >= settings.PLAY_CAP_PER_IP:
            return "IP daily cap"
        # Nobody hears more than an hour of audio in an hour (10 % slack for clock drift).
        if self.heard[event.listener_key] + event.heard_seconds > 3600 * 1.1:
            return "impossible listening rate"
        return ""

    def add(self, event: PlayEvent) -> None:
        self.per_listener[(event.track_id, event.listener_key)] += 1
        if event.ip_key:
            self.per_ip[(event.track_id, event.ip_key)] += 1
        self.heard[event.listener_key] += event.heard_seconds


def _add_beacons(beacons: list, entries: list[dict]) -> bool:
    """Append entries whose seq the session lacks (the first received wins). Changed?"""
    known = {row[0] for row in beacons}
    added = False
    for entry in entries:
        if entry["seq"] not in known:
            known.add(entry["seq"])
            received = datetime.fromisoformat(entry["received"]).timestamp()
            beacons.append([entry["seq"], entry["event"], entry["position"], entry["at"], received])
            added = True
    return added


def _lock_sessions(
    by_nonce: dict[str, list[dict]], now: datetime
) -> tuple[dict[str, PlaySession], set[str]]:
    """Every session of the batch, created with its beacons if new, and locked: two drains
    merging beacons of the same token would otherwise lose one's beacons. Locked in nonce order
    so that two drains cannot deadlock. Also returns the nonces whose sessions this call
    created (as far as the database tells): they have no event yet."""
    locked = PlaySession.objects.select_for_update().order_by("nonce")
    sessions = {session.nonce: session for session in locked.filter(nonce__any_of=list(by_nonce))}
    missing = sorted(nonce for nonce in by_nonce if nonce not in sessions)
    inserted: set[str] = set()
    if missing:
        new = []
        for nonce in missing:
            group = by_nonce[nonce]
            beacons: list = []
            _add_beacons(beacons, group)
            new.append(
                inserts.instance(
                    PlaySession,
                    nonce=nonce,
                    track_id=group[0]["t"],
                    user_agent=group[0]["ua"],
                    beacons=beacons,
                    updated_at=now,
                )
            )
        inserted = inserts.create_sessions(new)  # rows we inserted stay locked until commit
        sessions |= {session.nonce: session for session in new if session.nonce in inserted}
        # Another drain may have created some meanwhile: those are read (locked) and merged.
        others = [nonce for nonce in missing if nonce not in inserted]
        if others:
            sessions |= {session.nonce: session for session in locked.filter(nonce__any_of=others)}
    return sessions, inserted


def _new_event(*, nonce: str, track: Track, first: dict) -> PlayEvent:
    return inserts.instance(
        PlayEvent,
        nonce=nonce,
        track_id=track.pk,
        listener_key=first["l"],
        ip_key=first["ip"],
        source=first["s"],
        origin=first["o"],
        context=first["c"],
        started_at=datetime.fromtimestamp(first["i"], tz=UTC),
        release_id=track.release_id,
        artist_id=track.artist_id,
    )


def merge_batch(entries) -> None:
    """Merge beacons (any order, duplicates welcome) into sessions, events and rollups. Call in
    a transaction; beacons of deleted tracks are dropped. `entries`: dicts, or a
    `buffer.Beacons`. On PostgreSQL by set-based SQL (`sqldrain`), elsewhere in Python."""
    if connection.vendor == "postgresql":
        from . import sqldrain

        text = entries.as_json() if hasattr(entries, "as_json") else json.dumps(list(entries))
        sqldrain.merge(text, now=timezone.now())
    else:
        merge_in_python(entries)


def merge_in_python(entries, *, now: datetime | None = None) -> None:
    """merge_batch, one beacon and one play at a time: the reference for the counting rules
    (the embedded default's drain; on PostgreSQL `sqldrain` must agree with it)."""
    by_nonce: dict[str, list[dict]] = {}
    for entry in entries:
        by_nonce.setdefault(entry["n"], []).append(entry)
    tracks = Track.objects.only("duration", "release_id", "artist_id", "taken_down_at").in_bulk(
        {group[0]["t"] for group in by_nonce.values()}
    )
    by_nonce = {nonce: group for nonce, group in by_nonce.items() if group[0]["t"] in tracks}
    if not by_nonce:
        return
    now = now or timezone.now()
    sessions, created = _lock_sessions(by_nonce, now)
    changed_sessions = []
    for nonce, group in by_nonce.items():
        if _add_beacons(sessions[nonce].beacons, group):
            sessions[nonce].updated_at = now
            changed_sessions.append(sessions[nonce])
    PlaySession.objects.bulk_update(changed_sessions, ["beacons", "updated_at"], batch_size=500)

    older = [nonce for nonce in by_nonce if nonce not in created]  # only these may have one
    events = {event.nonce: event for event in PlayEvent.objects.filter(nonce__any_of=older)}
    work = []  # (event, before, listening state), in the order beacons arrived
    for nonce, group in by_nonce.items():
        track = tracks[group[0]["t"]]
        session = sessions[nonce]
        state = counting.listening(
            [counting.Beacon(*row) for row in session.beacons],
            duration=track.duration,
            issued=group[0]["i"],
        )
        event = events.get(nonce)
        before = rollups.EventState.of(event) if event else None
        if event is None:
            event = _new_event(nonce=nonce, track=track, first=group[0])
        event.heard_seconds = state.heard
        event.completion = state.completion
        event.skipped_early = state.skipped_early
        work.append((event, before, state, session.user_agent))

    deciding = [
        event
        for event, _, state, _ in work
        if state.qualifies and not (event.counted or event.flagged)
    ]
    caps = Caps.load(events=deciding, now=now) if deciding else None
    counted_now = []
    for event, _, state, user_agent in work:
        if state.qualifies and not (event.counted or event.flagged):
            event.flag_reason = (
                "track taken down"  # between the token being issued and the play counting
                if tracks[event.track_id].taken_down_at
                else caps.flag_reason(event=event, user_agent=user_agent)
            )
            event.flagged = bool(event.flag_reason)
            event.counted = not event.flagged
            event.counted_at = now if event.counted else None
            if event.counted:
                caps.add(event)
                counted_now.append(event)

    changes = [(before, rollups.EventState.of(event)) for event, before, _, _ in work]
    inserts.create_events([event for event, before, _, _ in work if before is None])
    updated = [
        event
        for (event, _, _, _), (before, after) in zip(work, changes, strict=True)
        if before is not None and before != after
    ]
    PlayEvent.objects.bulk_update(updated, [*DECISION_FIELDS, *VERDICT_FIELDS], batch_size=500)
    listeners.record(counted_now)
    rollups.apply_changes([(before, after) for before, after in changes if before != after])
