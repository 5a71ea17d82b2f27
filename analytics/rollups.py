"""Rollups: what each play event adds to the per-hour and per-day counts.

One function, `contribution`, says what an event in a given state adds. The drain applies
the difference between an event's state before and after a batch (`apply_changes`), and
`rebuild` sums every event's contribution straight from PlayEvent, so the two always agree:
re-running either gives the same numbers, and late or duplicate beacons change nothing they
should not.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import connection, transaction
from django.db.models import Count, F, FloatField, Q, Sum, Value
from django.db.models.functions import Cast, Coalesce, TruncDate, TruncDay, TruncHour

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


def apply_changes(changes: Iterable[tuple[EventState | None, EventState]]) -> None:
    """Add (after − before) of each event to its hour and day rows, in one upsert."""
    deltas: dict[tuple, dict[str, float]] = defaultdict(lambda: dict.fromkeys(METRICS, 0))
    referred: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    for before, after in changes:
        for state, sign in ((before, -1), (after, 1)):
            added = contribution(state)
            if not added:
                continue
            via = referrer(state)
            for scope, scope_id in scopes(state):
                if via:
                    row = referred[(scope, scope_id, day_of(state.started_at).date(), *via)]
                    row[0] += sign * added["streams"]
                    row[1] += sign * added.get("plays", 0)
                for grain, bucket in (
                    (Grain.HOUR, hour_of(state.started_at)),
                    (Grain.DAY, day_of(state.started_at)),
                ):
                    row = deltas[(scope, scope_id, grain, bucket, state.source)]
                    for metric, value in added.items():
                        row[metric] += sign * value
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


def _grouped(scope: str, column: str, trunc) -> str:
    """The SELECT giving every rollup row of one scope and grain, straight from PlayEvent."""
    events = PlayEvent.objects.filter(flagged=False)
    if scope == Scope.RELEASE:
        events = events.filter(release_id__isnull=False)
    query = (
        events.annotate(
            r_scope=Value(scope),
            r_id=F(column),
            r_grain=Value(Grain.HOUR if trunc is TruncHour else Grain.DAY),
            r_bucket=trunc("started_at", tzinfo=UTC),
        )
        .values("r_scope", "r_id", "r_grain", "r_bucket", "source")
        .annotate(
            r_streams=Count("id"),
            r_plays=_counted(Q(counted=True)),
            r_complete=_counted(Q(completion="complete")),
            r_partial=_counted(Q(completion="partial")),
            r_skip=_counted(Q(completion="skip")),
            r_early=_counted(Q(skipped_early=True)),
            r_heard=Cast(Coalesce(Sum("heard_seconds"), 0.0), FloatField()),
        )
        .values_list(
            "r_scope",
            "r_id",
            "r_grain",
            "r_bucket",
            "source",
            "r_streams",
            "r_plays",
            "r_complete",
            "r_partial",
            "r_skip",
            "r_early",
            "r_heard",
        )
        .order_by()
    )
    sql, params = query.query.sql_with_params()
    return sql, params


SCOPE_COLUMNS = {Scope.TRACK: "track_id", Scope.RELEASE: "release_id", Scope.ARTIST: "artist_id"}


@transaction.atomic
def rebuild() -> int:
    """Every rollup row again, from raw events only. Returns how many rows were written."""
    table = PlayRollup._meta.db_table
    columns = ", ".join((*_FIELDS, *METRICS))
    written = 0
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table}")
        for scope, column in SCOPE_COLUMNS.items():
            for trunc in (TruncHour, TruncDay):
                sql, params = _grouped(scope, column, trunc)
                cursor.execute(f"INSERT INTO {table} ({columns}) {sql}", params)
                written += cursor.rowcount
        written += _rebuild_referrers(cursor)
    return written


def _rebuild_referrers(cursor) -> int:
    table = ReferrerRollup._meta.db_table
    columns = ", ".join((*_REFERRER_FIELDS, "streams", "plays"))
    cursor.execute(f"DELETE FROM {table}")
    playlists = Q(source__in=[Source.PLAYLIST, Source.OWN_PLAYLIST]) & ~Q(context="")
    sites = Q(source=Source.EMBED) & ~Q(origin="")
    written = 0
    for kind, condition, ref in (
        (ReferrerRollup.PLAYLIST, playlists, "context"),
        (ReferrerRollup.SITE, sites, "origin"),
    ):
        for scope, column in SCOPE_COLUMNS.items():
            query = (
                PlayEvent.objects.filter(condition, flagged=False, **{f"{column}__isnull": False})
                .annotate(
                    r_scope=Value(scope),
                    r_id=F(column),
                    r_day=TruncDate("started_at", tzinfo=UTC),
                    r_kind=Value(kind),
                    r_ref=F(ref),
                )
                .values("r_scope", "r_id", "r_day", "r_kind", "r_ref")
                .annotate(r_streams=Count("id"), r_plays=_counted(Q(counted=True)))
                .values_list("r_scope", "r_id", "r_day", "r_kind", "r_ref", "r_streams", "r_plays")
                .order_by()
            )
            sql, params = query.query.sql_with_params()
            cursor.execute(f"INSERT INTO {table} ({columns}) {sql}", params)
            written += cursor.rowcount
    return written
