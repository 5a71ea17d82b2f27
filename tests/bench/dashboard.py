"""Dashboard benchmark: the stats pages of an artist with 10 million plays in a year.

Uses the kept database of tests/bench/playdata.py (`backstage_bench_plays`: 10 million raw
PlayEvents, one artist, 40 tracks, 4 releases, 200,000 listeners over a year) and what
`manage.py rebuild_rollups` makes of them (the `rebuild` part leaves them there; made here if
missing): real rollups, real listener sketches. Pages are timed in-process with Django's test
client, as the artist. Target: p95 ≤ 100 ms.

*cold*: Django's cache emptied before each request (listener totals recomputed from the
sketches); *warm*: cached. The first visit of a day also computes that day's audience
segments from the raw events (analytics/segments.py) — timed on its own, once.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/backstage \
        .venv/bin/python -m tests.bench dashboard
"""

import os
import statistics
import sys
import time

from tests.bench import playdata
from tests.bench.search import percentile

REPEATS = 20
TARGET_P95_MS = 100.0


def counting(queries: list):
    def wrapper(run, sql, params, many, context):
        queries.append(sql)
        return run(sql, params, many, context)

    return wrapper


def ensure_rollups() -> None:
    from analytics.models import PlayRollup
    from analytics.rebuild import rebuild_rollups

    if not PlayRollup.objects.exists():
        started = time.perf_counter()
        rebuild_rollups(report=lambda step: None)
        print(f"  rollups rebuilt from the raw events in {time.perf_counter() - started:.0f} s")


def timed(client, url: str, *, clear, repeats: int = REPEATS) -> list[float]:
    times = []
    for _ in range(repeats):
        clear()
        begun = time.perf_counter()
        assert client.get(url).status_code == 200, url
        times.append((time.perf_counter() - begun) * 1000)
    return times


def main() -> None:
    events = int(os.getenv("BENCH_EVENTS", "10000000"))
    playdata.use_database()
    bench = playdata.generate(events=events)
    ensure_rollups()

    from django.core.cache import cache
    from django.db import connection
    from django.test import Client

    from analytics.models import PlayRollup, SegmentSnapshot
    from artists.models import Artist
    from tracks.models import Release, Track

    artist = Artist.objects.get(pk=bench["artist_id"])
    release = Release.objects.filter(artist=artist).order_by("pk").first()
    track = Track.objects.filter(artist=artist).order_by("pk").first()
    print(
        f"Dashboard: {events:,} raw play events of one artist, "
        f"{PlayRollup.objects.count():,} rollup rows (database {playdata.BENCH_DB})"
    )
    client = Client()
    client.force_login(artist.user)

    SegmentSnapshot.objects.all().delete()
    begun = time.perf_counter()
    client.get("/studio/stats/")
    print(
        f"  first visit of the day (audience segments computed from raw events): "
        f"{(time.perf_counter() - begun) * 1000:.0f} ms"
    )
    pages = [
        ("artist, 28 days", "/studio/stats/"),
        ("artist, 7 days", "/studio/stats/?period=7d"),
        ("artist, 12 months", "/studio/stats/?period=12m"),
        ("artist, all time", "/studio/stats/?period=all"),
        ("release, 28 days", f"/studio/stats/release/{release.public_id}/"),
        ("track, 12 months", f"/studio/stats/track/{track.public_id}/?period=12m"),
        ("live counter", f"/studio/stats/live/{release.public_id}"),
        ("daily CSV, 12 months", "/studio/stats/daily.csv?period=12m"),
    ]
    for _, url in pages:  # segments of every subject kept, as after the nightly task
        client.get(url)
    print(f"\n  {'page':<22} {'queries':>7}  {'cold p50 / p95 ms':>18}  {'warm p50 / p95 ms':>18}")
    for name, url in pages:
        queries = []
        with connection.execute_wrapper(counting(queries)):
            cache.clear()
            client.get(url)
        cold = timed(client, url, clear=cache.clear)
        warm = timed(client, url, clear=lambda: None)
        worst = max(percentile(cold, 0.95), percentile(warm, 0.95))
        print(
            f"  {name:<22} {len(queries):>7}  "
            f"{statistics.median(cold):8.1f} / {percentile(cold, 0.95):6.1f}  "
            f"{statistics.median(warm):8.1f} / {percentile(warm, 0.95):6.1f}  "
            f"{'met' if worst <= TARGET_P95_MS else 'MISSED'}"
        )
    load = ", ".join(f"{n:.1f}" for n in os.getloadavg())
    print(f"  Load average now: {load} on {os.cpu_count()} CPUs.")


if __name__ == "__main__":
    sys.exit(main())
