"""Every rollup again from raw data (`manage.py rebuild_rollups`, and the rebuild benchmark).

Each step is one transaction, in SQL (INSERT … SELECT, no Python loop per event): dashboards
see a step's old numbers or its new ones, never half. On PostgreSQL a full rebuild TRUNCATEs
the rollup tables, which makes readers wait for that step to commit, and the steps (which
write different tables or rows) run two at a time on their own connections: one PostgreSQL
backend uses one core for INSERT … SELECT, and the listeners step is as long as the rest.
"""

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date

from django.db import connection

from . import engagement, listeners, rollups
from .models import DailyCount, ListenerSketch, PlayRollup, ReferrerRollup, SegmentSnapshot


@dataclass(frozen=True)
class Step:
    name: str
    rows: int
    seconds: float


STEPS: tuple[tuple[str, Callable[..., int]], ...] = (  # longest first
    ("listeners (daily counts, sketches)", listeners.rebuild),
    ("plays (PlayRollup)", rollups.rebuild_plays),
    ("referrers (ReferrerRollup)", rollups.rebuild_referrers),
    ("follows, saves, playlist adds", engagement.rebuild),
)


def _analyze(*, since: date | None = None) -> int:
    """Fresh planner statistics for the tables just rewritten (PostgreSQL)."""
    models = (PlayRollup, ReferrerRollup, DailyCount, ListenerSketch)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in models:
                cursor.execute(f"ANALYZE {model._meta.db_table}")
    return 0


def rebuild_rollups(
    *, since: date | None = None, report: Callable[[Step], None] | None = None
) -> list[Step]:
    """Run every step (from `since` on, if given) and say how long each took.

    Two at a time on PostgreSQL unless called inside a transaction (other connections would
    not see its rows: tests), one after the other otherwise.
    """

    def run(name: str, function: Callable[..., int], *, own_connection: bool) -> Step:
        started = time.perf_counter()
        try:
            rows = function(since=since)
        finally:
            if own_connection:
                connection.close()  # this thread's
        step = Step(name, rows, time.perf_counter() - started)
        if report:
            report(step)
        return step

    parallel = connection.vendor == "postgresql" and not connection.in_atomic_block
    if parallel:
        with ThreadPoolExecutor(max_workers=2) as pool:
            futures = [pool.submit(run, *step, own_connection=True) for step in STEPS]
            done = [future.result() for future in futures]
    else:
        done = [run(*step, own_connection=False) for step in STEPS]
    done.append(run("audience segments (dropped)", _drop_segments, own_connection=False))
    return [*done, run("planner statistics (ANALYZE)", _analyze, own_connection=False)]


def _drop_segments(*, since: date | None = None) -> int:
    """Kept segment snapshots may predate the rebuilt numbers: computed again on demand."""
    snapshots = SegmentSnapshot.objects.all()
    if since:
        snapshots = snapshots.filter(day__gte=since)
    return snapshots.delete()[0]
