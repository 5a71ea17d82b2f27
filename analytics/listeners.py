"""Unique listeners: who had a counted play of a track, release or artist, on which day (UTC).

Daily counts (DailyCount 'listeners') are exact everywhere: a listener-day adds 1 when its first
counted play is recorded. Ranges of days differ by database:

- SQLite (the embedded default): exact. One ListenerDay row per listener, scope and day; a
  range's listeners are the distinct keys over its days.
- PostgreSQL: one HyperLogLog sketch per scope and day (ListenerSketch, sketches.py); a range
  is the union of its days' sketches (≤ 366 × 4 KiB for a year), ±1.6 % standard error, kept
  between the range's largest day and the sum of its days (both exact). ListenerDay would hold
  about a row per play (an artist with 10 million plays a year: ~20 million rows over three
  scopes), too many to count distinct over for a dashboard or to rebuild in a minute. Whether
  a listener is new on a day is asked of PlayEvent instead, under a per-listener lock.
"""

from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta

import numpy as np
import psycopg
from django.db import connection, transaction
from django.db.models import Count, F, Max, Sum, Value
from django.db.models.functions import TruncDate

from . import sketches
from .models import DailyCount, ListenerDay, ListenerSketch, Metric, PlayEvent, Scope
from .rollups import SCOPE_COLUMNS, day_of, scopes, upsert

CHUNK = 500  # rows per INSERT (SQLite allows 32,766 parameters)


def sketched() -> bool:
    """Ranges are estimated from sketches (PostgreSQL) rather than counted exactly."""
    return connection.vendor == "postgresql"


def record(events: Iterable[PlayEvent]) -> None:
    """Note the listeners of newly counted events (idempotent: a listener-day counts once).

    Call before the events are saved as counted, inside the drain's transaction.
    """
    events = list(events)
    rows = {
        (scope, scope_id, day_of(event.started_at).date(), event.listener_key)
        for event in events
        for scope, scope_id in scopes(event)
    }
    if not rows:
        return
    if sketched():
        new_days = _record_sketched(rows, nonces=[event.nonce for event in events])
    else:
        new_days = _record_exact(sorted(rows))  # key order: concurrent drains never deadlock
    add_daily(Metric.LISTENERS, new_days)


def _record_exact(rows: list[tuple]) -> Counter:
    """INSERT … VALUES … ON CONFLICT DO NOTHING RETURNING, CHUNK rows a statement."""
    table = ListenerDay._meta.db_table
    adapt = connection.ops.adapt_datefield_value
    new_days: Counter = Counter()
    with connection.cursor() as cursor:
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start : start + CHUNK]
            cursor.execute(
                f"INSERT INTO {table} (scope, scope_id, day, listener_key) VALUES "
                + ", ".join(["(%s, %s, %s, %s)"] * len(chunk))
                + " ON CONFLICT DO NOTHING RETURNING scope, scope_id, day",
                [value for s, i, d, k in chunk for value in (s, i, adapt(d), k)],
            )
            for scope, scope_id, day in cursor.fetchall():
                if isinstance(day, str):  # SQLite returns dates as text
                    day = date.fromisoformat(day)
                new_days[(scope, scope_id, day)] += 1
    return new_days


_EARLIER = """
    SELECT DISTINCT v.key, v.day, e.track_id, e.release_id, e.artist_id
    FROM unnest(%s::text[], %s::date[]) AS v(key, day)
    JOIN analytics_playevent e ON e.listener_key = v.key AND e.counted AND NOT e.nonce = ANY(%s)
        AND e.started_at >= v.day::timestamp AT TIME ZONE 'UTC'
        AND e.started_at < (v.day + 1)::timestamp AT TIME ZONE 'UTC'
"""


def _record_sketched(rows: set[tuple], *, nonces: list[str]) -> Counter:
    """Listener-days not seen in earlier counted events, and every key into its day's sketch.

    Earlier plays are looked up once per listener and day (one index probe each), not once
    per listener, day and scope: a third of the probes."""
    rows = sorted(rows)
    key_days = sorted({(key, day) for _, _, day, key in rows})
    with connection.cursor() as cursor:
        # Two drains recording the same listener's plays at once would both find no earlier
        # play and count the listener-day twice: one listener's recording waits for the other.
        cursor.execute(
            "SELECT pg_advisory_xact_lock(h) FROM (SELECT DISTINCT hashtext(k) AS h"
            " FROM unnest(%s::text[]) AS k ORDER BY 1) AS keys",
            [sorted({key for key, _ in key_days})],
        )
        cursor.execute(
            _EARLIER, [[key for key, _ in key_days], [day for _, day in key_days], nonces]
        )
        seen = {
            (scope, scope_id, day, key)
            for key, day, track_id, release_id, artist_id in cursor.fetchall()
            for scope, scope_id in (
                (Scope.TRACK, track_id), (Scope.RELEASE, release_id), (Scope.ARTIST, artist_id)
            )
            if scope_id is not None
        }  # fmt: skip
        new_days = Counter((s, i, d) for s, i, d, k in rows if (s, i, d, k) not in seen)
        added = defaultdict(list)
        for scope, scope_id, day, key in rows:
            added[(scope, scope_id, day)].append(key)
        _add_to_sketches(cursor, added)
    return new_days


def _add_to_sketches(cursor, added: dict[tuple, list[str]]) -> None:
    table = ListenerSketch._meta.db_table
    scope, ids, days = (list(column) for column in zip(*added, strict=True))
    cursor.execute(
        f"INSERT INTO {table} (scope, scope_id, day, registers)"
        " SELECT s, i, d, '' FROM unnest(%s::text[], %s::int[], %s::date[]) AS v(s, i, d)"
        " ON CONFLICT DO NOTHING",
        [scope, ids, days],
    )
    # Locked: a concurrent drain's read-modify-write of the same sketch would lose ours.
    cursor.execute(
        f"SELECT id, scope, scope_id, day, registers FROM {table}"
        " WHERE (scope, scope_id, day) IN (SELECT * FROM unnest(%s::text[], %s::int[], %s::date[]))"
        " ORDER BY id FOR UPDATE",
        [scope, ids, days],
    )
    locked = cursor.fetchall()
    pairs = sketches.registers_of(cursor, sorted({k for keys in added.values() for k in keys}))
    updates = [
        (row_id, sketches.add(sketches.of(old), [pairs[k] for k in added[(s, i, d)]]).tobytes())
        for row_id, s, i, d, old in locked
    ]
    # Bound server-side: a batch's ~100 sketches of 4 KiB travel as binary parameters, not as
    # 800 KB of hex that Django's client-side binding writes into the SQL (~25 ms a batch).
    with psycopg.Cursor(connection.connection) as binary:
        binary.execute(
            f"UPDATE {table} SET registers = v.r FROM unnest(%s::bigint[], %s::bytea[])"
            f" AS v(id, r) WHERE {table}.id = v.id",
            [[u[0] for u in updates], [u[1] for u in updates]],
        )


def add_daily(metric: str, counts: Counter) -> None:
    """Add to DailyCount rows (scope, id, day) → n, creating them as needed."""
    adapt = connection.ops.adapt_datefield_value
    rows = [(s, i, metric, adapt(d), n) for (s, i, d), n in counts.items() if n]
    if rows:
        upsert(DailyCount, ("scope", "scope_id", "metric", "day"), ("value",), rows)


def unique(*, scope: str, scope_id: int, start: date, end: date) -> int:
    """Distinct listeners from `start` to `end` inclusive (estimated on PostgreSQL)."""
    if not sketched():
        return ListenerDay.objects.filter(
            scope=scope, scope_id=scope_id, day__range=(start, end)
        ).aggregate(n=Count("listener_key", distinct=True))["n"]
    days = DailyCount.objects.filter(
        scope=scope, scope_id=scope_id, metric=Metric.LISTENERS, day__range=(start, end)
    ).aggregate(most=Max("value"), total=Sum("value"))
    if not days["total"]:
        return 0
    if start == end or days["most"] == days["total"]:
        return days["total"]  # one day (exact), or nobody came back on another day
    registers = ListenerSketch.objects.filter(
        scope=scope, scope_id=scope_id, day__range=(start, end)
    ).values_list("registers", flat=True)
    estimated = sketches.estimate(sketches.union(registers))
    return min(max(estimated, days["most"]), days["total"])


@transaction.atomic
def rebuild(*, since: date | None = None) -> int:
    """Listener-days (or sketches) and the daily listener counts again, from counted events.

    Returns how many daily counts were written.
    """
    counts = DailyCount.objects.filter(metric=Metric.LISTENERS)
    events = PlayEvent.objects.filter(counted=True)
    if since:
        counts = counts.filter(day__gte=since)
        events = events.filter(started_at__gte=datetime.combine(since, time(), tzinfo=UTC))
    counts.delete()
    if sketched():
        return _rebuild_sketched(events, since)
    days = ListenerDay.objects.all()
    if since:
        days = days.filter(day__gte=since)
    days.delete()
    table = ListenerDay._meta.db_table
    with connection.cursor() as cursor:
        for scope, column in SCOPE_COLUMNS.items():
            query = (
                events.filter(**{f"{column}__isnull": False})
                .annotate(
                    l_scope=Value(scope), l_id=F(column), l_day=TruncDate("started_at", tzinfo=UTC)
                )
                .values_list("l_scope", "l_id", "l_day", "listener_key")
                .distinct()
                .order_by()
            )
            sql, params = query.query.sql_with_params()
            cursor.execute(
                f"INSERT INTO {table} (scope, scope_id, day, listener_key) {sql}", params
            )
        return _insert(
            cursor,
            f"SELECT scope, scope_id, day, 'listeners', count(*) FROM {table}"
            + (" WHERE day >= %s" if since else "")
            + " GROUP BY scope, scope_id, day",
            [connection.ops.adapt_datefield_value(since)] if since else [],
        )


def _insert(cursor, select: str, params: list) -> int:
    cursor.execute(
        f"INSERT INTO {DailyCount._meta.db_table} (scope, scope_id, day, metric, value) {select}",
        params,
    )
    return cursor.rowcount


_EPOCH = date(2000, 1, 1)  # days are counted from here in sketches.per_day


def _rebuild_sketched(events, since: date | None) -> int:
    """Counted events' (track, release, artist, listener hash) packed by PostgreSQL into one
    bytea per day (9M events: ~290 MB in 365 rows, read in binary: a COPY or a cursor would
    cost a Python call per row), then counted and sketched per scope by numpy
    (sketches.per_day). Three GROUP BYs of 9M rows in PostgreSQL took 60 s; this takes ~20 s
    (tests/bench/README.md). Written back with COPY."""
    sketch_rows = ListenerSketch.objects.all()
    if since:
        sketch_rows = sketch_rows.filter(day__gte=since)
    sketch_rows.delete()
    h = sketches.SQL_HASH.format(key="listener_key")
    where = " AND started_at >= %s" if since else ""
    params = [datetime.combine(since, time(), tzinfo=UTC)] if since else []
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '512MB'")
        with psycopg.Cursor(connection.connection) as binary:  # Django's cursors bind client-side
            binary.execute(
                "SELECT (started_at AT TIME ZONE 'UTC')::date, string_agg(int8send(track_id::int8)"
                " || int8send(coalesce(release_id, 0)::int8) || int8send(artist_id::int8)"
                f" || int8send({h}), ''::bytea) FROM {PlayEvent._meta.db_table}"
                f" WHERE counted{where} GROUP BY 1",
                params,
                binary=True,
            )
            packed = binary.fetchall()
        columns = (
            np.concatenate(
                [np.frombuffer(plays, dtype=">i8").reshape(-1, 4) for _, plays in packed]
            ).astype(np.int64)
            if packed
            else np.zeros((0, 4), dtype=np.int64)
        )
        days = np.repeat(
            [(day - _EPOCH).days for day, _ in packed], [len(plays) // 32 for _, plays in packed]
        ).astype(np.int64)
        del packed
        daily, built = [], []
        for scope, index in ((Scope.TRACK, 0), (Scope.RELEASE, 1), (Scope.ARTIST, 2)):
            keep = columns[:, index] != 0
            ids, on, counts, registers = sketches.per_day(
                columns[keep, index], days[keep], columns[keep, 3]
            )
            for scope_id, day, count, sketch in zip(
                ids.tolist(), on.tolist(), counts.tolist(), registers, strict=True
            ):
                day = _EPOCH + timedelta(days=day)
                daily.append((scope, scope_id, day, Metric.LISTENERS, count))
                built.append((scope, scope_id, day, sketch.tobytes()))
        _copy(cursor, DailyCount, ("scope", "scope_id", "day", "metric", "value"), daily)
        _copy(cursor, ListenerSketch, ("scope", "scope_id", "day", "registers"), built)
    return len(daily)


def _copy(cursor, model, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """COPY rows in (PostgreSQL): far faster than INSERTs for thousands of 4 KiB sketches."""
    with cursor.cursor.copy(
        f"COPY {model._meta.db_table} ({', '.join(columns)}) FROM STDIN"
    ) as copy:
        for row in rows:
            copy.write_row(row)
