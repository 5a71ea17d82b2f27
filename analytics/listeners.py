"""Unique listeners: who had a counted play of a track, release or artist, on which day.

Exact: one ListenerDay row per listener, scope and day (UTC), and each day's count kept in
DailyCount as rows are first inserted. A range's listeners are the distinct keys over its days.
"""

from collections import Counter
from collections.abc import Iterable
from datetime import date

from django.db import connection
from django.db.models import Count

from .models import DailyCount, ListenerDay, Metric, PlayEvent
from .rollups import day_of, scopes

CHUNK = 500  # rows per INSERT (SQLite allows 32,766 parameters)


def record(events: Iterable[PlayEvent]) -> None:
    """Note the listeners of newly counted events (idempotent: a listener-day is kept once)."""
    rows = {
        (scope, scope_id, day_of(event.started_at).date(), event.listener_key)
        for event in events
        for scope, scope_id in scopes(event)
    }
    if not rows:
        return
    table = ListenerDay._meta.db_table
    adapt = connection.ops.adapt_datefield_value
    new_days: Counter = Counter()
    rows = sorted(rows)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start : start + CHUNK]
            sql = (
                f"INSERT INTO {table} (scope, scope_id, day, listener_key) VALUES "
                + ", ".join(["(%s, %s, %s, %s)"] * len(chunk))
                + " ON CONFLICT DO NOTHING RETURNING scope, scope_id, day"
            )
            params = [value for s, i, d, k in chunk for value in (s, i, adapt(d), k)]
            cursor.execute(sql, params)
            for scope, scope_id, day in cursor.fetchall():
                if isinstance(day, str):  # SQLite returns dates as text
                    day = date.fromisoformat(day)
                new_days[(scope, scope_id, day)] += 1
    add_daily(Metric.LISTENERS, new_days)


def add_daily(metric: str, counts: Counter) -> None:
    """Add to DailyCount rows (scope, id, day) → n, creating them as needed."""
    table = DailyCount._meta.db_table
    sql = (
        f"INSERT INTO {table} (scope, scope_id, day, metric, value) VALUES (%s, %s, %s, %s, %s)"
        f" ON CONFLICT (scope, scope_id, metric, day) DO UPDATE SET value = {table}.value"
        " + excluded.value"
    )
    adapt = connection.ops.adapt_datefield_value
    # In key order, like every upsert of the drain: concurrent drains must not deadlock.
    rows = sorted((s, i, adapt(d), metric, n) for (s, i, d), n in counts.items() if n)
    if rows:
        with connection.cursor() as cursor:
            cursor.executemany(sql, rows)


def unique(*, scope: str, scope_id: int, start: date, end: date) -> int:
    """Distinct listeners from `start` to `end` inclusive."""
    return (
        ListenerDay.objects.filter(scope=scope, scope_id=scope_id, day__range=(start, end))
        .values("listener_key")
        .distinct()
        .count()
    )


def rebuild() -> int:
    """ListenerDay and the daily listener counts again, from counted events only."""
    ListenerDay.objects.all().delete()
    DailyCount.objects.filter(metric=Metric.LISTENERS).delete()
    events = PlayEvent.objects.filter(counted=True).only(
        "track_id", "release_id", "artist_id", "started_at", "listener_key"
    )
    record(events.iterator(chunk_size=5000))
    return ListenerDay.objects.aggregate(n=Count("id"))["n"]
