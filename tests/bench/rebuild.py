"""Rebuild benchmark: every rollup again from 10 million raw play events, on PostgreSQL.

Uses the kept database of tests/bench/playdata.py (`backstage_bench_plays`, next to
DATABASE_URL's; generated once, ~2 minutes, not timed), runs the steps of
`manage.py rebuild_rollups` and prints each one's rows and wall time. Target: ≤ 60 s in all.
Then times what a dashboard asks of the listener sketches: unique listeners of the artist over
a year and over 28 days (p50 / p95 of 30 runs). Never fails on a missed target.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/backstage \
        .venv/bin/python -m tests.bench.rebuild

BENCH_EVENTS sets the number of events (default 10,000,000); BENCH_FRESH=1 regenerates.
"""

import os
import statistics
import sys
import time
from datetime import date, timedelta

from tests.bench import playdata
from tests.bench.search import percentile

TARGET_SECONDS = 60.0


def main() -> None:
    events = int(os.getenv("BENCH_EVENTS", "10000000"))
    playdata.use_database()
    started = time.perf_counter()
    bench = playdata.generate(events=events)
    made = "reused" if bench["reused"] else f"generated in {time.perf_counter() - started:.0f} s"
    print(f"Rebuild: {events:,} play events of one artist, 40 tracks, 4 releases ({made})")

    from analytics import listeners
    from analytics.models import Scope
    from analytics.rebuild import rebuild_rollups

    print(f"\n{'step':<38} {'rows':>12} {'seconds':>9}")
    started = time.perf_counter()
    rebuild_rollups(
        report=lambda s: print(f"{s.name:<38} {s.rows:>12,} {s.seconds:>9.2f}", flush=True)
    )
    total = time.perf_counter() - started
    verdict = "met" if total <= TARGET_SECONDS else "missed"
    print(f"{'wall time (steps two at a time)':<38} {'':>12} {total:>9.2f}", end="")
    print(f"   target ≤ {TARGET_SECONDS:g} s: {verdict}")

    last = date(2026, 11, 23)
    for label, first in (("a year", last - timedelta(days=364)), ("28 days", last - timedelta(27))):
        times, value = [], 0
        for _ in range(30):
            begun = time.perf_counter()
            value = listeners.unique(
                scope=Scope.ARTIST, scope_id=bench["artist_id"], start=first, end=last
            )
            times.append((time.perf_counter() - begun) * 1000)
        print(
            f"unique listeners of the artist over {label}: {value:,}"
            f" (p50 {statistics.median(times):.1f} ms, p95 {percentile(times, 0.95):.1f} ms)"
        )
    load = ", ".join(f"{n:.1f}" for n in os.getloadavg())
    print(f"Load average now: {load} on {os.cpu_count()} CPUs.")


if __name__ == "__main__":
    sys.exit(main())
