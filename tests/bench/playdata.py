"""Raw play events for benchmarks: one artist with a year of plays, made fast in SQL.

    from tests.bench import playdata
    playdata.use_database()             # a kept database next to DATABASE_URL's, migrated
    bench = playdata.generate(events=10_000_000)  # reused if it is there already

One artist, 4 releases of 9 tracks and 4 singles (40 tracks), `events` PlayEvent rows over the
365 days before 2026-11-24 (more recent days busier), from ~200,000 distinct listeners (a few
heavy ones, a long tail; 30 % signed in), with a realistic source mix (playlists, library and
the artist's pages first; 6 % embeds from 7 sites, playlist plays from 300 playlists), ~10 %
not counted (skips under 30 s, mostly early skips) and ~0.5 % flagged. Rows come from
`generate_series` in PostgreSQL (about 1M rows per 10–15 s here), with PlayEvent's indexes
dropped during the load and built after it. PostgreSQL only. Deterministic (setseed).

The database is kept between runs (generation takes minutes): `generate` returns at once if a
previous run made the same number of events. `BENCH_FRESH=1` drops and regenerates.
"""

import contextlib
import os
import time
from datetime import UTC, datetime

from tests.bench.search import admin_execute, database_url

BENCH_DB = "backstage_bench_plays"
LISTENERS = 200_000
FIRST_DAY = datetime(2025, 11, 24, tzinfo=UTC)
CHUNK = 1_000_000
SOURCES = [  # (source, share)
    ("playlist", 0.22),
    ("own-playlist", 0.08),
    ("artist", 0.12),
    ("release", 0.10),
    ("track", 0.08),
    ("search", 0.06),
    ("library", 0.12),
    ("radio", 0.08),
    ("embed", 0.06),
    ("home", 0.05),
    ("direct", 0.03),
]


def use_database(name: str = BENCH_DB) -> None:
    """Point Django at the (kept) bench database, creating and migrating it as needed."""
    if os.getenv("BENCH_FRESH") == "1":
        admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    with contextlib.suppress(Exception):  # kept from an earlier run
        admin_execute(f'CREATE DATABASE "{name}"')
    os.environ.update(DATABASE_URL=database_url(name), DJANGO_SETTINGS_MODULE="backstage.settings")
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _catalogue() -> dict:
    """The artist, releases and tracks (made once; found again on later runs)."""
    from artists.models import Artist
    from backstage.models import User
    from tracks.models import Release, Track

    artist = Artist.objects.filter(slug="bench-plays").first()
    if artist is None:
        user = User.objects.create(username="bench-plays", email="plays@example.com")
        artist = Artist.objects.create(user=user, name="Bench Plays", slug="bench-plays")
        releases = Release.objects.bulk_create(
            Release(artist=artist, title=f"Release {n}") for n in range(4)
        )
        Track.objects.bulk_create(
            Track(
                artist=artist,
                release=releases[n // 9] if n < 36 else None,
                position=n % 9 + 1,
                title=f"Track {n}",
                status="ready",
                duration=200.0,
                original=f"originals/bench-plays-{n}.flac",
                original_filename=f"bench-plays-{n}.flac",
            )
            for n in range(40)
        )
    tracks = list(
        Track.objects.filter(artist=artist).order_by("id").values_list("id", "release_id")
    )
    return {
        "artist_id": artist.id,
        "track_ids": [t for t, _ in tracks],
        "release_ids": sorted({r for _, r in tracks if r}),
        "tracks": tracks,
    }


def _rows_sql(catalogue: dict) -> str:
    """INSERT … SELECT of PlayEvent rows g = %(first)s … %(last)s (random draws per row)."""
    track_ids = ",".join(str(t) for t, _ in catalogue["tracks"])
    release_ids = ",".join(str(r) if r else "NULL" for _, r in catalogue["tracks"])
    bounds, total = [], 0.0
    for source, share in SOURCES:
        total += share
        bounds.append(f"WHEN u_source < {total:.4f} THEN '{source}'")
    source_case = "CASE " + " ".join(bounds[:-1]) + f" ELSE '{SOURCES[-1][0]}' END"
    n = len(catalogue["tracks"])
    return f"""
    INSERT INTO analytics_playevent (
        nonce, track_id, release_id, artist_id, listener_key, ip_key, source, origin, context,
        started_at, heard_seconds, counted, counted_at, completion, skipped_early, flagged,
        flag_reason)
    SELECT md5('play' || g), tracks[k], releases[k], {catalogue["artist_id"]},
        CASE WHEN l %% 10 < 3 THEN 'u:' || l ELSE 'a:' || substr(md5('l' || l), 1, 16) END,
        substr(md5('ip' || (l %% 150000)), 1, 16),
        source,
        CASE WHEN source = 'embed' THEN 'https://site' || (g %% 7) || '.example' ELSE '' END,
        CASE WHEN source IN ('playlist', 'own-playlist') THEN 'PL' || lpad((g %% 300)::text, 6, '0')
             ELSE '' END,
        started_at,
        CASE WHEN counted THEN 30 + u_misc * 170 WHEN flagged THEN 200 ELSE u_misc * 29 END,
        counted,
        CASE WHEN counted THEN started_at + interval '30 seconds' END,
        CASE WHEN flagged THEN 'complete'
             WHEN counted THEN CASE WHEN u_misc < 0.55 THEN 'complete' ELSE 'partial' END
             WHEN u_misc < 0.8 THEN 'skip' ELSE 'partial' END,
        NOT counted AND NOT flagged AND u_misc < 0.6,
        flagged,
        CASE WHEN flagged THEN 'bot user agent' ELSE '' END
    FROM (
        SELECT g, k, l, u_misc, {source_case} AS source,
            timestamptz '{FIRST_DAY.isoformat()}' + interval '365 days' * power(u_time, 0.8)
                AS started_at,
            u_count < 0.895 AS counted, u_count >= 0.995 AS flagged,
            ARRAY[{track_ids}] AS tracks, ARRAY[{release_ids}]::int[] AS releases
        FROM (
            SELECT g,
                least({n - 1}, floor({n} * power(random(), 1.8)))::int + 1 AS k,
                floor({LISTENERS} * power(random(), 3))::int AS l,
                random() AS u_time, random() AS u_source, random() AS u_count,
                random() AS u_misc
            FROM generate_series(%(first)s::bigint, %(last)s::bigint) g
        ) draws
    ) plays
    """


def generate(*, events: int = 10_000_000, seed: float = 0.42, quiet: bool = False) -> dict:
    """Fill PlayEvent with `events` plays of one artist (kept: a second call reuses them).

    Returns the artist id, track ids and release ids. Rollups are not touched: run
    `manage.py rebuild_rollups` (or the `rebuild` bench) to make them.
    """
    from django.db import connection, transaction

    catalogue = _catalogue()
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_playdata (events bigint, made_in float)")
        cursor.execute("SELECT events FROM bench_playdata")
        made = cursor.fetchone()
        if made and made[0] == events:
            return {**catalogue, "events": events, "reused": True}
    say = (lambda *a: None) if quiet else (lambda *a: print(*a, flush=True))
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute("TRUNCATE analytics_playevent")
        cursor.execute("DELETE FROM bench_playdata")
        cursor.execute(
            "SELECT indexdef, indexname FROM pg_indexes WHERE tablename = 'analytics_playevent'"
            " AND indexname NOT LIKE '%%pkey'"
        )
        indexes = cursor.fetchall()
        for _, name in indexes:  # built once at the end: far faster than row by row
            cursor.execute(f'DROP INDEX IF EXISTS "{name}"')
        cursor.execute("SELECT setseed(%s)", [seed])
        sql = _rows_sql(catalogue)
        for first in range(1, events + 1, CHUNK):
            last = min(events, first + CHUNK - 1)
            cursor.execute(sql, {"first": first, "last": last})
            say(f"  {last:>12,} events ({time.perf_counter() - started:.0f} s)")
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        for definition, name in indexes:
            # A partitioned table's index reads "ON ONLY": built so, it would skip partitions.
            cursor.execute(definition.replace(" ON ONLY ", " ON "))
            say(f"  index {name} ({time.perf_counter() - started:.0f} s)")
        made_in = time.perf_counter() - started
        cursor.execute("INSERT INTO bench_playdata VALUES (%s, %s)", [events, made_in])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE analytics_playevent")
    say(f"  generated {events:,} events in {time.perf_counter() - started:.0f} s")
    return {**catalogue, "events": events, "reused": False}
