"""Every rollup again from raw data (`manage.py rebuild_rollups`, and the rebuild benchmark).

Each step is one transaction, in SQL (INSERT … SELECT, no Python loop per event): dashboards
see a step's old numbers or its new ones, never half. On PostgreSQL a full rebuild TRUNCATEs
the rollup tables, which makes readers wait for that step to commit.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.db import connection

from . import engagement, listeners, rollups
from .models import DailyCount, ListenerSketch, PlayRollup, ReferrerRollup


@dataclass(frozen=True)
class Step:
    name: str
    rows: int
    seconds: float


STEPS: tuple[tuple[str, Callable[..., int]], ...] = (
    ("plays (PlayRollup)", rollups.rebuild_plays),
    ("referrers (ReferrerRollup)", rollups.rebuild_referrers),
    ("listeners (daily counts, sketches)", listeners.rebuild),
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
    """Run every step (from `since` on, if given) and say how long each took."""
    done = []
    for name, function in (*STEPS, ("planner statistics (ANALYZE)", _analyze)):
        started = time.perf_counter()
        rows = function(since=since)
        done.append(Step(name, rows, time.perf_counter() - started))
        if report:
            report(done[-1])
    return done
