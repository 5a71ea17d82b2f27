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
    sql = (
        f"INSERT INTO {table} (scope, scope_id, day, listener_key) VALUES (%s, %s, %s, %s)"
        " ON CONFLICT DO NOTHING RETURNING scope, scope_id, day"
    )
    adapt = connection.ops.adapt_datefield_value
    new_days: Counter = Counter()
    with connection.cursor() as cursor:
        for scope, scope_id, day, key in rows:
            cursor.execute(sql, (scope, scope_id, adapt(day), key))
            if cursor.fetchone():
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
    rows = [(s, i, adapt(d), metric, n) for (s, i, d), n in counts.items() if n]
    if rows:
        with connection.cursor() as cursor:
            cursor.executemany(sql, rows)


def unique(*, scope: str, scope_id: int, start: date, end: date) -> int:
    """Distinct listeners from `start` to `end` inclusive."""
    # COUNT(DISTINCT …), not a count over SELECT DISTINCT: PostgreSQL runs the latter as a
    # parallel hash aggregate that spilled for minutes over a year of a big artist's rows
    # (2.2 million: 164 s, against 1.3 s for COUNT(DISTINCT); tests/bench/dashboard.py).
    return ListenerDay.objects.filter(
        scope=scope, scope_id=scope_id, day__range=(start, end)
    ).aggregate(n=Count("listener_key", distinct=True))["n"]


def rebuild() -> int:
    """ListenerDay and the daily listener counts again, from counted events only."""
    ListenerDay.objects.all().delete()
    DailyCount.objects.filter(metric=Metric.LISTENERS).delete()
    events = PlayEvent.objects.filter(counted=True).only(
        "track_id", "release_id", "artist_id", "started_at", "listener_key"
    )
    record(events.iterator(chunk_size=5000))
    return ListenerDay.objects.aggregate(n=Count("id"))["n"]
