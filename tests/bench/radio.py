"""Radio benchmark: the next-track pick over 100,000 tracks and 1,000,000 feedback rows.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/backstage .venv/bin/python -m tests.bench radio

A kept database `backstage_bench_radio` next to DATABASE_URL's (`BENCH_FRESH=1` regenerates):
5,000 artists (1 in 200 suspended), 100,000 tracks over two years (1 in 40 still processing,
1 in 25 unlisted, 1 in 30 left out of radio; 20 genres, mood tags), 10,000 radio listeners
with one discovery session each, 1,000,000 radio plays with one feedback each (35 % likes,
20 % dislikes with reasons, 45 % skips; heavy listeners hear more), the running scores, the
listeners' affinities and artists' exposure summed from them. Rows come from
`INSERT … SELECT generate_series` in PostgreSQL (setseed: deterministic), then VACUUM ANALYZE.

Timed in-process (the picks' plays are rolled back, so every run starts from the same data):

- the nightly `refresh_similarity` (artist radio's neighbours, from the likes), once;
- a cold `refresh_pool` of each station's pool (discovery, a genre, a mood, artist radio);
- `services.next_track` with the pool warm, for a heavy listener (hundreds of dislikes and
  affinities) in sessions that have already played 50 tracks (100 picks timed per session, two
  sessions). **Target p95 ≤ 20 ms.**
- `picking.pick_track` alone, and the same pick through `scored_pool`'s queryset.

Then EXPLAIN (ANALYZE, BUFFERS) of the pick's statement, to show its index paths.
"""

import os
import random
import statistics
import time

from tests.bench import playdata
from tests.bench.search import percentile

BENCH_DB = "backstage_bench_radio"
ARTISTS = 5_000
TRACKS = 100_000
LISTENERS = 10_000
PLAYS = 1_000_000
REPEATS = 200
TARGET_P95_MS = 20.0
GENRES = ["ambient", "techno", "house", "jazz", "folk", "hip-hop", "shoegaze", "punk", "metal"]
GENRES += ["soul", "dub", "drone", "pop", "indie", "classical", "reggae", "trap", "disco", "noise"]
HEAVY = "a:bench-1"  # the listener timed: the most plays, hence feedback and affinities


def _array(values) -> str:
    return "ARRAY[" + ",".join(f"'{v}'" for v in values) + "]"


def _generate_sql() -> list[str]:
    from radio.services import MOODS

    genres, moods = _array(GENRES), _array(MOODS)
    return [
        "SELECT setseed(0.42)",
        f"""INSERT INTO backstage_user (password, is_superuser, username, first_name, last_name,
            email, is_staff, is_active, date_joined, display_name, email_new_releases,
            public_profile)
        SELECT '!', false, 'bench-radio-' || g, '', '', 'radio' || g || '@example.com', false,
            true, now(), '', false, true
        FROM generate_series(1, {ARTISTS}) g""",
        """INSERT INTO artists_artist (name, slug, bio, links, location, avatar, banner,
            is_suspended, created_at, user_id)
        SELECT 'Radio artist ' || u.id, u.username, '', '[]', '', '', '', u.id % 200 = 0, now(),
            u.id
        FROM backstage_user u WHERE u.username LIKE 'bench-radio-%'""",
        # Tracks: artists in id order own consecutive blocks of 20; genres follow the artist
        # (two per artist), moods are random. Newer tracks are rarer (created_at skewed old).
        f"""INSERT INTO tracks_track (public_id, title, visibility, cover, takedown_reason,
            created_at, updated_at, position, credits, genre, tags, licence, edited_fields,
            status, status_message, processing_attempts, original, original_filename,
            original_size, codec, peaks, embedded_tags, artist_id, radio_enabled, duration)
        SELECT substr(md5('track' || g), 1, 12), 'Radio track ' || g,
            CASE WHEN g % 25 = 0 THEN 'unlisted' ELSE 'public' END, '', '',
            now() - make_interval(secs => 730 * 86400 * sqrt(random())), now(), 1, '',
            ({genres})[1 + (a.n * 2 + g % 2) % {len(GENRES)}],
            jsonb_build_array(({moods})[1 + floor(random() * {len(MOODS)})::int]),
            'all-rights', '[]', CASE WHEN g % 40 = 0 THEN 'processing' ELSE 'ready' END,
            '', 0, 'originals/x.flac', 'x.flac', 0, '', '[]', '{{}}', a.id, g % 30 <> 0,
            120 + floor(random() * 300)
        FROM generate_series(0, {TRACKS - 1}) g
        JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM artists_artist
              WHERE slug LIKE 'bench-radio-%') a ON a.n = g / {TRACKS // ARTISTS}""",
        f"""INSERT INTO radio_radiosession (id, listener_key, kind, seed, created_at)
        SELECT md5('session' || l)::uuid, 'a:bench-' || l, 'discovery', '', now() - interval '1 day'
        FROM generate_series(1, {LISTENERS}) l""",
        # Plays: listener l ~ a power law (bench-1 hears the most), tracks uniform.
        f"""INSERT INTO radio_radioplay (track_id, listener_key, kind, session_id, started_at)
        SELECT t.id, 'a:bench-' || l, 'discovery', md5('session' || l)::uuid,
            now() - make_interval(secs => random() * 28 * 86400)
        FROM (SELECT g, 1 + floor({LISTENERS} * power(random(), 1.5))::int AS l,
                     floor(random() * {TRACKS})::int AS t
              FROM generate_series(1, {PLAYS}) g) p
        JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM tracks_track) t
            ON t.n = p.t""",
        """INSERT INTO radio_feedback (play_id, track_id, listener_key, kind, reason, at_seconds,
            created_at)
        SELECT id, track_id, listener_key,
            CASE WHEN r < 0.35 THEN 'like' WHEN r < 0.55 THEN 'dislike' ELSE 'skip' END,
            CASE WHEN r >= 0.35 AND r < 0.55
                 THEN (ARRAY['genre', 'production', 'vocals', 'too-long', ''])
                      [1 + floor(random() * 5)::int]
                 ELSE '' END,
            CASE WHEN r >= 0.55 THEN floor(random() * 120) END, started_at
        FROM (SELECT *, random() AS r FROM radio_radioplay) p""",
        """INSERT INTO radio_trackradioscore (track_id, plays, likes, dislikes, skips, updated_at)
        SELECT p.track_id, count(*), count(*) FILTER (WHERE f.kind = 'like'),
            count(*) FILTER (WHERE f.kind = 'dislike'), count(*) FILTER (WHERE f.kind = 'skip'),
            now()
        FROM radio_radioplay p JOIN radio_feedback f ON f.play_id = p.id
        GROUP BY p.track_id""",
        # Affinities as services._move_affinities leaves them (steps summed, kept within ±4).
        """INSERT INTO radio_listeneraffinity (listener_key, dimension, value, weight)
        SELECT f.listener_key, 'artist', t.artist_id::text,
            greatest(-4, least(4, sum(CASE f.kind WHEN 'like' THEN 1 WHEN 'dislike' THEN -1
                                                  ELSE -0.5 END)))
        FROM radio_feedback f JOIN tracks_track t ON t.id = f.track_id
        GROUP BY f.listener_key, t.artist_id""",
        """INSERT INTO radio_listeneraffinity (listener_key, dimension, value, weight)
        SELECT f.listener_key, 'genre', lower(t.genre),
            greatest(-4, least(4, sum(CASE WHEN f.kind = 'like' THEN 0.5
                                           WHEN f.reason = 'genre' THEN -1.5 ELSE -0.25 END)))
        FROM radio_feedback f JOIN tracks_track t ON t.id = f.track_id
        GROUP BY f.listener_key, lower(t.genre)""",
        # Organic plays: log-uniform from 0 to ~8,000 in 28 days.
        """INSERT INTO radio_artistexposure (artist_id, heard_seconds, organic_plays,
            refreshed_at)
        SELECT a.id, coalesce(air.seconds, 0), floor(exp(random() * 9)) - 1, now()
        FROM artists_artist a
        LEFT JOIN (SELECT t.artist_id, sum(t.duration) AS seconds FROM radio_radioplay p
                   JOIN tracks_track t ON t.id = p.track_id GROUP BY t.artist_id) air
            ON air.artist_id = a.id
        WHERE a.slug LIKE 'bench-radio-%'""",
        "VACUUM ANALYZE",  # as autovacuum would have: index-only scans need the visibility map
    ]


def generate() -> None:
    """Make the data once; later runs reuse it (the kept database)."""
    from django.db import connection

    from radio.models import Feedback

    if Feedback.objects.count() >= PLAYS:
        print(f"  reusing {BENCH_DB}")
        return
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for statement in _generate_sql():
            begun = time.perf_counter()
            cursor.execute(statement)
            label = " ".join(statement.split()[:3])[:40]
            print(f"  {label:<40} {time.perf_counter() - begun:6.1f} s", flush=True)
    print(f"  generated in {time.perf_counter() - started:.0f} s")


def timings(run, repeats: int = REPEATS) -> list[float]:
    times = []
    for _ in range(repeats):
        begun = time.perf_counter()
        run()
        times.append((time.perf_counter() - begun) * 1000)
    return times


def report(label: str, times: list[float], target: float | None = None) -> None:
    p50, p95 = statistics.median(times), percentile(times, 0.95)
    verdict = ""
    if target is not None:
        verdict = "met" if p95 <= target else "MISSED"
        verdict = f"  target p95 ≤ {target:.0f} ms: {verdict}"
    print(f"  {label:<44} p50 {p50:7.2f} ms  p95 {p95:7.2f} ms  (n={len(times)}){verdict}")


def main() -> None:
    playdata.use_database(BENCH_DB)
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    generate()

    from django.db import connection, reset_queries, transaction
    from django.test.utils import CaptureQueriesContext

    from artists.models import Artist
    from radio import picking, services, similarity
    from radio.models import Feedback, ListenerAffinity, StationKind
    from tracks.models import Track

    print(
        f"  listener {HEAVY}: {Feedback.objects.filter(listener_key=HEAVY).count()} feedback "
        f"rows, {ListenerAffinity.objects.filter(listener_key=HEAVY).count()} affinities"
    )
    begun = time.perf_counter()
    pairs = similarity.refresh_similarity()
    print(f"  refresh_similarity: {pairs} pairs in {(time.perf_counter() - begun):.1f} s")

    rng = random.Random(7)
    artist = Artist.objects.filter(slug="bench-radio-17").get()
    stations = {
        "discovery": {"kind": StationKind.DISCOVERY},
        "tag:shoegaze": {"kind": StationKind.TAG, "seed": "shoegaze"},
        "mood:calm": {"kind": StationKind.MOOD, "seed": "calm"},
        f"artist:{artist.pk}": {"kind": StationKind.ARTIST, "artist": artist},
    }
    print("Cold pool refresh (10 runs each):")
    for key in stations:
        report(f"refresh_pool({key!r})", timings(lambda k=key: picking.refresh_pool(k), 10))

    print(f"next_track, pool warm, {REPEATS} picks per station (sessions of 50 + 100 timed):")
    for key, spec in stations.items():
        times = []
        with transaction.atomic():
            picking.ensure_pool(key)
            for _ in range(REPEATS // 100):  # a pool of 200 holds one long session, not three
                session = services.start_station(listener_key=HEAVY, user=None, **spec)
                for _ in range(50):
                    services.next_track(session=session, rng=rng)
                times += timings(lambda s=session: services.next_track(session=s, rng=rng), 100)
            reset_queries()  # DEBUG's query log is capped: CaptureQueriesContext needs room
            with CaptureQueriesContext(connection) as queries:
                services.next_track(session=session, rng=rng)
            report(f"next_track {key} ({len(queries)} queries)", times, TARGET_P95_MS)
            transaction.set_rollback(True)  # the bench database stays as generated

    print("The pick alone (discovery, the heavy listener, their dislikes excluded):")
    disliked = Feedback.objects.filter(listener_key=HEAVY, kind="dislike").values("track_id")

    def pick():
        picking.pick_track("discovery", listener_key=HEAVY, exclude_tracks=disliked, rng=rng)

    def scored():
        best = (
            picking.scored_pool("discovery", listener_key=HEAVY, seed=rng.randrange(1_000_003))
            .exclude(track_id__in=disliked)
            .order_by("-score", "track_id")
            .values_list("track_id", flat=True)
            .first()
        )
        Track.objects.select_related("artist", "release").get(pk=best)

    # In alternation, so that both see the same neighbours' load.
    picks, through_orm = [], []
    for _ in range(REPEATS):
        picks += timings(pick, 1)
        through_orm += timings(scored, 1)
    report("picking.pick_track (2 queries)", picks)
    report("same pick via scored_pool's queryset (ORM)", through_orm)

    print("EXPLAIN ANALYZE of next_track's pick (discovery, a session 20 tracks in):")
    with transaction.atomic():
        session = services.start_station(listener_key=HEAVY, user=None, kind="discovery")
        for _ in range(20):
            services.next_track(session=session, rng=rng)
        reset_queries()
        with CaptureQueriesContext(connection) as queries:
            services.next_track(session=session, rng=rng)
        statement = next(q["sql"] for q in queries.captured_queries if "pooltrack p" in q["sql"])
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement)
            print("\n".join(line for (line,) in cursor.fetchall()))
        transaction.set_rollback(True)
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
