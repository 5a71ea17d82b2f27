"""Dashboard benchmark: the artist's stats pages for an artist with 10 million plays a year.

Makes a throwaway PostgreSQL database next to DATABASE_URL's, fills the rollups directly
(generate_series: what a year of draining 10 million plays leaves behind — PlayRollup hour
and day rows per track, release and artist × 4 sources, ListenerDay rows for the artist and
the release, daily listener counts, referrers) and times the pages in-process with Django's
test client. The dashboard reads rollups only, so no raw PlayEvent rows are needed: that is
the point being measured. BENCH_KEEP=1 keeps the seeded database for the next run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/backstage \
        .venv/bin/python -m tests.bench.dashboard
"""

import contextlib
import os
import statistics
import time

import psycopg

from tests.bench.search import admin_execute, database_url, percentile

BENCH_DB = "backstage_bench_dashboard"
TRACKS = 20
SOURCES = ("track", "release", "playlist", "embed")
DAYS = 365
PLAYS_PER_HOUR_ROW = 14  # 365 × 24 × 20 tracks × 4 sources × 14 ≈ 9.8 million plays
LISTENERS = 300_000
LISTENERS_PER_DAY = 6_000  # ListenerDay rows per day for the artist, and for the release
REPEATS = 20
REPEATS_COLD = 3
TARGET_P95_MS = 100.0


def seed() -> tuple:
    from django.db import connection

    from tests.factories import ArtistFactory, ReleaseFactory
    from tracks.models import Track

    artist = ArtistFactory(name="Ten Million", slug="ten-million")
    release = ReleaseFactory(artist=artist, title="Big Album")
    Track.objects.bulk_create(
        Track(artist=artist, release=release, title=f"Song {n}", status="ready", duration=200.0,
              original="bench/none.flac", original_filename="none.flac", position=n)
        for n in range(TRACKS)
    )  # fmt: skip
    ids = list(Track.objects.filter(artist=artist).values_list("id", flat=True))
    scopes = [("t", i) for i in ids] + [("r", release.pk), ("a", artist.pk)]
    values = ", ".join(f"('{s}', {i}, {TRACKS if s != 't' else 1})" for s, i in scopes)
    sources = ", ".join(f"('{s}')" for s in SOURCES)
    p = PLAYS_PER_HOUR_ROW
    with connection.cursor() as cursor:
        for grain, step, per in (("h", "1 hour", 1), ("d", "1 day", 24)):
            cursor.execute(f"""
                INSERT INTO analytics_playrollup (scope, scope_id, grain, bucket, source, streams,
                    plays, complete, partial, skip, early_skips, heard_seconds)
                SELECT sc.s, sc.i, '{grain}', b, so.src, {p + 4} * sc.m * {per},
                    {p} * sc.m * {per}, 6 * sc.m * {per}, 8 * sc.m * {per}, 4 * sc.m * {per},
                    2 * sc.m * {per}, 1500.0 * sc.m * {per}
                FROM (VALUES {values}) AS sc(s, i, m), (VALUES {sources}) AS so(src),
                    generate_series(date_trunc('day', now() at time zone 'utc')
                        - interval '{DAYS - 1} days', now() at time zone 'utc', '{step}') AS b
            """)  # fmt: skip
        for scope, scope_id in (("a", artist.pk), ("r", release.pk)):
            cursor.execute(f"""
                INSERT INTO analytics_listenerday (scope, scope_id, day, listener_key)
                SELECT '{scope}', {scope_id}, d::date,
                    'a:' || ((n * 7919 + extract(doy from d)::int * 104729) % {LISTENERS})
                FROM generate_series(current_date - {DAYS - 1}, current_date, '1 day') AS d,
                    generate_series(1, {LISTENERS_PER_DAY}) AS n
                ON CONFLICT DO NOTHING
            """)  # fmt: skip
            cursor.execute(f"""
                INSERT INTO analytics_dailycount (scope, scope_id, day, metric, value)
                SELECT scope, scope_id, day, 'listeners', count(*) FROM analytics_listenerday
                WHERE scope = '{scope}' AND scope_id = {scope_id} GROUP BY scope, scope_id, day
            """)
            cursor.execute(f"""
                INSERT INTO analytics_referrerrollup
                    (scope, scope_id, day, kind, ref, streams, plays)
                SELECT '{scope}', {scope_id}, d::date, k, k || '-' || n, 30, 25
                FROM generate_series(current_date - {DAYS - 1}, current_date, '1 day') AS d,
                    generate_series(1, 40) AS n, (VALUES ('playlist'), ('site')) AS kinds(k)
            """)  # fmt: skip
        cursor.execute("VACUUM ANALYZE")  # what autovacuum does: index-only scans
    return artist, release


def counting(queries: list):
    def wrapper(run, sql, params, many, context):
        queries.append(sql)
        return run(sql, params, many, context)

    return wrapper


def bench() -> None:
    os.environ.update(
        DATABASE_URL=database_url(BENCH_DB), DJANGO_SETTINGS_MODULE="backstage.settings"
    )
    os.environ.pop("REDIS_URL", None)
    keep = os.getenv("BENCH_KEEP") == "1"
    if not keep:
        admin_execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
    with contextlib.suppress(psycopg.errors.DuplicateDatabase):  # kept (BENCH_KEEP=1)
        admin_execute(f'CREATE DATABASE "{BENCH_DB}"')
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from artists.models import Artist
    from tracks.models import Release

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    artist = Artist.objects.filter(slug="ten-million").first()
    if artist is None:
        artist, release = seed()
    release = Release.objects.get(artist=artist)
    with connection.cursor() as cursor:
        cursor.execute("SELECT sum(plays) FROM analytics_playrollup WHERE scope='a' AND grain='d'")
        plays = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM analytics_playrollup")
        rows = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM analytics_listenerday")
        listener_days = cursor.fetchone()[0]
    print(
        f"Dashboard: {plays:,} plays in a year, {rows:,} rollup rows, {listener_days:,} "
        f"listener-days in {BENCH_DB} (ready in {time.perf_counter() - started:.0f} s)"
    )
    client = Client()
    client.force_login(artist.user)
    # (name, url, cold repeats): a cold 12-month distinct count takes seconds, so just one.
    pages = [
        ("artist, 28 days", "/studio/stats/", REPEATS_COLD),
        ("artist, 7 days", "/studio/stats/?period=7d", REPEATS_COLD),
        ("release, 28 days", f"/studio/stats/release/{release.public_id}/", REPEATS_COLD),
        ("live counter", f"/studio/stats/live/{release.public_id}", REPEATS_COLD),
        ("daily CSV, 12 months", "/studio/stats/daily.csv?period=12m", 1),
        ("artist, 12 months", "/studio/stats/?period=12m", 1),
    ]
    from django.core.cache import cache

    print("  (cold: the cache emptied before each request; warm: listener totals cached)")
    for name, url, cold_repeats in pages:
        queries = []  # counted with a wrapper: the test client reconnects per request
        with connection.execute_wrapper(counting(queries)):
            cache.clear()
            assert client.get(url).status_code == 200, url
        figures = []
        for label, repeats, clear in (("cold", cold_repeats, True), ("warm", REPEATS, False)):
            times = []
            for _ in range(repeats):
                if clear:
                    cache.clear()
                begun = time.perf_counter()
                client.get(url)
                times.append((time.perf_counter() - begun) * 1000)
            p95 = percentile(times, 0.95)
            figures.append(
                f"{label} p50 {statistics.median(times):7.1f} p95 {p95:7.1f} ms"
                f" ({'met' if p95 <= TARGET_P95_MS else 'MISSED'})"
            )
        print(f"  {name:<22} {len(queries):>2} queries  " + "  ".join(figures))
    if not keep:
        connection.close()
        admin_execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')


if __name__ == "__main__":
    bench()
