"""Rollups: what each play event adds to the per-hour and per-day counts.

One function, `contribution`, says what an event in a given state adds. The drain applies
the difference between an event's state before and after a batch (`apply_changes`), and
`rebuild` sums every event's contribution straight from PlayEvent, so the two always agree:
re-running either gives the same numbers, and late or duplicate beacons change nothing they
should not.
"""

import contextlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from django.db import connection, transaction
from django.db.models import Case, Count, F, FloatField, Q, Sum, Value, When
from django.db.models.functions import (
    Cast,
    Coalesce,
    TruncDate,
    TruncDay,
    TruncHour,
    TruncMonth,
)

from . import inserts
from .models import Grain, PlayEvent, PlayRollup, ReferrerRollup, Scope, Source

COUNTS = ("streams", "plays", "complete", "partial", "skip", "early_skips")
METRICS = (*COUNTS, "heard_seconds")
_FIELDS = ("scope", "scope_id", "grain", "bucket", "source")
_REFERRER_FIELDS = ("scope", "scope_id", "day", "kind", "ref")


@dataclass(frozen=True)
class EventState:
    """The parts of a PlayEvent that rollups depend on."""

    track_id: int
    release_id: int | None
    artist_id: int
    started_at: datetime
    source: str
    origin: str
    context: str
    counted: bool
    flagged: bool
    completion: str
    skipped_early: bool
    heard_seconds: float

    @classmethod
    def of(cls, event: PlayEvent) -> "EventState":
        return cls(**{name: getattr(event, name) for name in cls.__dataclass_fields__})


def contribution(state: EventState | None) -> dict[str, float]:
    """What one event adds to its buckets. Flagged events add nothing."""
    if state is None or state.flagged:
        return {}
    added = {"streams": 1, state.completion: 1, "heard_seconds": state.heard_seconds}
    if state.counted:
        added["plays"] = 1
    if state.skipped_early:
        added["early_skips"] = 1
    return added


def referrer(state: EventState) -> tuple[str, str] | None:
    """(kind, ref) of the playlist or website that brought this play, if any."""
    if state.source in (Source.PLAYLIST, Source.OWN_PLAYLIST) and state.context:
        return ReferrerRollup.PLAYLIST, state.context
    if state.source == Source.EMBED and state.origin:
        return ReferrerRollup.SITE, state.origin
    return None


def scopes(state) -> list[tuple[str, int]]:
    """(scope, id) pairs an event counts for; `state` is an EventState or a PlayEvent."""
    keys = [(Scope.TRACK, state.track_id), (Scope.ARTIST, state.artist_id)]
    if state.release_id:
        keys.append((Scope.RELEASE, state.release_id))
    return keys


def hour_of(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def day_of(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def month_of(moment: datetime) -> datetime:
    return day_of(moment).replace(day=1)


def apply_changes(changes: Iterable[tuple[EventState | None, EventState]]) -> None:
    """Add (after − before) of each event to its hour, day and month rows, in one upsert.

    Events are first summed by what places them (track, release, artist, hour, source,
    referrer): a batch of thousands of plays falls into a few hundred such groups, and only
    those are spread over scopes and grains."""
    groups: dict[tuple, dict[str, float]] = defaultdict(lambda: dict.fromkeys(METRICS, 0))
    for before, after in changes:
        for state, sign in ((before, -1), (after, 1)):
            added = contribution(state)
            if not added:
                continue
            place = (state.track_id, state.release_id, state.artist_id,
                     hour_of(state.started_at), state.source, referrer(state))  # fmt: skip
            row = groups[place]
            for metric, value in added.items():
                row[metric] += sign * value
    deltas: dict[tuple, dict[str, float]] = defaultdict(lambda: dict.fromkeys(METRICS, 0))
    referred: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    for (track_id, release_id, artist_id, hour, source, via), added in groups.items():
        keys = [(Scope.TRACK, track_id), (Scope.ARTIST, artist_id)]
        if release_id:
            keys.append((Scope.RELEASE, release_id))
        day = hour.replace(hour=0)
        buckets = ((Grain.HOUR, hour), (Grain.DAY, day), (Grain.MONTH, day.replace(day=1)))
        for scope, scope_id in keys:
            if via:
                row = referred[(scope, scope_id, day.date(), *via)]
                row[0] += added["streams"]
                row[1] += added["plays"]
            for grain, bucket in buckets:
                row = deltas[(scope, scope_id, grain, bucket, source)]
                for metric, value in added.items():
                    row[metric] += value
    rows = [
        key + tuple(row[m] for m in METRICS) for key, row in deltas.items() if any(row.values())
    ]
    if rows:
        adapt = connection.ops.adapt_datetimefield_value
        rows = [(*row[:3], adapt(row[3]), *row[4:]) for row in rows]
        upsert(PlayRollup, _FIELDS, METRICS, rows)
    rows = [key + tuple(row) for key, row in referred.items() if any(row)]
    if rows:
        adapt = connection.ops.adapt_datefield_value
        rows = [(*row[:2], adapt(row[2]), *row[3:]) for row in rows]
        upsert(ReferrerRollup, _REFERRER_FIELDS, ("streams", "plays"), rows)


def upsert(model, keys: tuple[str, ...], sums: tuple[str, ...], rows: list[tuple]) -> None:
    """INSERT … ON CONFLICT DO UPDATE adding `sums` (PostgreSQL and SQLite alike), one
    statement per 500 rows (keys are unique among `rows`, as one statement requires). Rows go
    in key order: two drains updating the same rows in different orders could deadlock."""
    table = model._meta.db_table
    rows = sorted(rows)
    columns = (*keys, *sums)
    adds = ", ".join(f"{m} = {table}.{m} + excluded.{m}" for m in sums)
    if connection.vendor == "postgresql":
        then = f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {adds}"
        inserts.through_temp(table, columns, rows, order=keys, then=then)
        return
    row_sql = f"({', '.join(['%s'] * len(columns))})"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 500):
            chunk = rows[start : start + 500]
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
                + ", ".join([row_sql] * len(chunk))
                + f" ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {adds}",
                [value for row in chunk for value in row],
            )


def _counted(condition: Q):
    return Count("id", filter=condition)


SCOPE_COLUMNS = {Scope.TRACK: "track_id", Scope.RELEASE: "release_id", Scope.ARTIST: "artist_id"}
_STAGED = ("streams", "plays", "complete", "partial", "skip", "early", "heard")


def _stage(cursor, name: str, query) -> None:
    """A temporary table holding `query`'s rows (dropped first if a rebuild in the same
    transaction left it)."""
    sql, params = query.query.sql_with_params()
    cursor.execute(f"DROP TABLE IF EXISTS {name}")
    cursor.execute(f"CREATE TEMP TABLE {name} AS {sql}", params)


@contextlib.contextmanager
def _bulk_load(cursor, model, *, full: bool):
    """Empty `model`'s table for a full rebuild on PostgreSQL: TRUNCATE (far faster than
    DELETE of millions of rows) and its unique constraint built once after the load rather
    than row by row (~40 % of the insert time at 3 million rows). Readers wait until commit."""
    if not (full and connection.vendor == "postgresql"):
        yield
        return
    table = model._meta.db_table
    (unique,) = model._meta.constraints
    cursor.execute(f"TRUNCATE {table}")
    cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {unique.name}")
    yield
    cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
    cursor.execute(
        f"ALTER TABLE {table} ADD CONSTRAINT {unique.name} UNIQUE ({', '.join(unique.fields)})"
    )


def _events(since: date | None):
    events = PlayEvent.objects.filter(flagged=False)
    if since:
        events = events.filter(started_at__gte=datetime.combine(since, time(), tzinfo=UTC))
    return events


def rebuild(*, since: date | None = None) -> int:
    """Play and referrer rollups again (from `since` on), from raw events only."""
    return rebuild_plays(since=since) + rebuild_referrers(since=since)


@transaction.atomic
def rebuild_plays(*, since: date | None = None) -> int:
    """Every PlayRollup row again (from `since` on), from raw events. Returns rows written.

    Raw events are read twice, once for plays and once for referrers, each grouped into a
    staging table per track, release, artist, hour (day, month) and source; every scope and grain
    is then summed from the staging table, not from the events again.
    """
    table = PlayRollup._meta.db_table
    stale = PlayRollup.objects.all()
    if since:
        since = since.replace(day=1)  # month rows are whole: rebuild from their first day
        stale = stale.filter(bucket__gte=datetime.combine(since, time(), tzinfo=UTC))
    written = 0
    with connection.cursor() as cursor, _bulk_load(cursor, PlayRollup, full=not since):
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL work_mem = '512MB'")
        stale.delete()
        staged = (
            _events(since)
            .annotate(
                hour=TruncHour("started_at", tzinfo=UTC),
                day=TruncDay("started_at", tzinfo=UTC),
                month=TruncMonth("started_at", tzinfo=UTC),
            )
            .values("track_id", "release_id", "artist_id", "hour", "day", "month", "source")
            .annotate(
                streams=Count("id"),
                plays=_counted(Q(counted=True)),
                complete=_counted(Q(completion="complete")),
                partial=_counted(Q(completion="partial")),
                skip=_counted(Q(completion="skip")),
                early=_counted(Q(skipped_early=True)),
                heard=Cast(Coalesce(Sum("heard_seconds"), 0.0), FloatField()),
            )
            .order_by()
        )
        _stage(cursor, "rollup_stage", staged)
        columns = ", ".join((*_FIELDS, *METRICS))
        sums = ", ".join(f"SUM({name})" for name in _STAGED)
        for scope, column in SCOPE_COLUMNS.items():
            for grain, bucket in ((Grain.HOUR, "hour"), (Grain.DAY, "day"), (Grain.MONTH, "month")):
                cursor.execute(
                    f"INSERT INTO {table} ({columns})"
                    f" SELECT %s, {column}, %s, {bucket}, source, {sums} FROM rollup_stage"
                    f" WHERE {column} IS NOT NULL GROUP BY {column}, {bucket}, source",
                    [scope, grain],
                )
                written += cursor.rowcount
        cursor.execute("DROP TABLE rollup_stage")
    return written


@transaction.atomic
def rebuild_referrers(*, since: date | None = None) -> int:
    """Every ReferrerRollup row again (from `since` on), from raw events."""
    with connection.cursor() as cursor, _bulk_load(cursor, ReferrerRollup, full=not since):
        return _rebuild_referrers(cursor, since)


def _rebuild_referrers(cursor, since: date | None) -> int:
    table = ReferrerRollup._meta.db_table
    stale = ReferrerRollup.objects.all()
    if since:
        stale = stale.filter(day__gte=since)
    stale.delete()
    playlists = Q(source__in=[Source.PLAYLIST, Source.OWN_PLAYLIST]) & ~Q(context="")
    sites = Q(source=Source.EMBED) & ~Q(origin="")
    staged = (
        _events(since)
        .filter(playlists | sites)
        .annotate(
            day=TruncDate("started_at", tzinfo=UTC),
            kind=Case(
                When(playlists, then=Value(ReferrerRollup.PLAYLIST)),
                default=Value(ReferrerRollup.SITE),
            ),
            ref=Case(When(playlists, then=F("context")), default=F("origin")),
        )
        .values("track_id", "release_id", "artist_id", "day", "kind", "ref")
        .annotate(streams=Count("id"), plays=_counted(Q(counted=True)))
        .order_by()
    )
    _stage(cursor, "referrer_stage", staged)
    columns = ", ".join((*_REFERRER_FIELDS, "streams", "plays"))
    written = 0
    for scope, column in SCOPE_COLUMNS.items():
        cursor.execute(
            f"INSERT INTO {table} ({columns})"
            f" SELECT %s, {column}, day, kind, ref, SUM(streams), SUM(plays) FROM referrer_stage"
            f" WHERE {column} IS NOT NULL GROUP BY {column}, day, kind, ref",
            [scope],
        )
        written += cursor.rowcount
    cursor.execute("DROP TABLE referrer_stage")
    return written
