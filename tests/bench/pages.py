"""Page-serving benchmark: requests/s of real pages under gunicorn, against a trivial view.

Makes a throwaway PostgreSQL database next to the one in DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/backstage), seeds 1,000 artists and 20,000 ready tracks,
serves it with gunicorn (2 sync workers, production settings) and loads each page from a
second process for a fixed time. Prints figures and targets; never fails on a missed target.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/backstage .venv/bin/python -m tests.bench.pages
"""

import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
BENCH_DB = "backstage_bench"
ARTISTS = 1_000
TRACKS_PER_ARTIST = 20  # 20,000 tracks
# Per artist: a 10-track album, a 4-track EP, three singles and three loose tracks.
RELEASES = [("album", 10), ("ep", 4), ("single", 1), ("single", 1), ("single", 1)]
PEAKS = 600
SECONDS = float(os.getenv("BENCH_SECONDS", "8"))
WARMUP = 1.0
CONCURRENCY = 8
TARGET_SHARE = 35  # a page's requests/s as a % of /ping's


def bench_database_url() -> str:
    base = urlsplit(os.getenv("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/backstage")
    return urlunsplit(base._replace(path=f"/{BENCH_DB}"))


def _admin_connection():
    import psycopg

    url = urlsplit(bench_database_url())
    return psycopg.connect(urlunsplit(url._replace(path="/postgres")), autocommit=True)


def recreate_database() -> None:
    with _admin_connection() as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{BENCH_DB}"')


BENCH_REDIS_URL = os.getenv("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")


def drop_database() -> None:
    with _admin_connection() as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')


def server_environment(static_root: Path) -> dict[str, str]:
    """Production-shaped settings (DEBUG off, Redis as the shared cache), the bench database."""
    import redis

    redis.Redis.from_url(BENCH_REDIS_URL).flushdb()  # no cached pages from an earlier run
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "S3_BUCKET")}
    env.update(
        REDIS_URL=BENCH_REDIS_URL,
        DJANGO_SETTINGS_MODULE="backstage.settings",
        DATABASE_URL=bench_database_url(),
        DEBUG="false",
        SECRET_KEY="bench-" + "k" * 50,
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        DB_CONN_MAX_AGE="60",
        STATIC_ROOT=str(static_root),
        LOG_LEVEL="WARNING",
    )
    return env


# --- Seeding ---------------------------------------------------------------------------------


def _peaks(seed: int) -> list[int]:
    return [(seed * 7 + i * 13) % 97 + 3 for i in range(PEAKS)]


def seed() -> dict:
    """1,000 artists, 5,000 releases, 20,000 ready tracks with 40,000 renditions, in bulk."""
    from django.db import connection

    from artists.models import Artist
    from backstage.models import User
    from tracks.models import Release, Rendition, Track

    users = User.objects.bulk_create(
        User(username=f"bench{i}", email=f"bench{i}@example.com", password="!")
        for i in range(ARTISTS)
    )
    artists = Artist.objects.bulk_create(
        Artist(user=user, name=f"Bench Artist {i}", slug=f"bench-artist-{i}", bio="Loud, mostly.")
        for i, user in enumerate(users)
    )
    releases = Release.objects.bulk_create(
        Release(artist=artist, title=f"{kind.title()} {n} of {artist.name}", kind=kind)
        for artist in artists
        for n, (kind, _) in enumerate(RELEASES)
    )
    by_artist = {}
    for release in releases:
        by_artist.setdefault(release.artist_id, []).append(release)
    tracks = []
    for artist in artists:
        slots = [
            (release, position)
            for release, (_, size) in zip(by_artist[artist.id], RELEASES, strict=True)
            for position in range(1, size + 1)
        ]
        slots += [(None, 0)] * (TRACKS_PER_ARTIST - len(slots))
        for n, (release, position) in enumerate(slots):
            number = len(tracks)
            tracks.append(
                Track(
                    artist=artist,
                    release=release,
                    position=position,
                    title=f"Track {n} by {artist.name}",
                    status=Track.Status.READY,
                    duration=150 + number % 120,
                    original=f"originals/{artist.id}/bench-{number}.flac",
                    original_filename=f"bench-{number}.flac",
                    original_size=30_000_000,
                    codec="flac",
                    sample_rate=44100,
                    channels=2,
                    bitrate=800_000,
                    loudness_lufs=-14.0,
                    peaks=_peaks(number),
                    genre="Bench",
                )
            )
    tracks = Track.objects.bulk_create(tracks, batch_size=2000)
    Rendition.objects.bulk_create(
        (
            Rendition(
                track=track,
                format=fmt,
                file=f"renditions/{track.id}/{fmt}.{fmt}",
                size=3_000_000,
                bitrate=bitrate,
            )
            for track in tracks
            for fmt, bitrate in (("opus", 96_000), ("mp3", 128_000))
        ),
        batch_size=5000,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    artist = artists[1]
    album = by_artist[artist.id][0]
    track = Track.objects.filter(release=album).order_by("position").first()
    return {
        "ping": "/ping",
        "home": "/",
        "artist": artist.get_absolute_url(),
        "release": album.get_absolute_url(),
        "track": track.get_absolute_url(),
    }


# --- In-process look (why a page costs what it costs) -------------------------------------------


def inspect_page(path: str, *, runs: int = 20) -> dict:
    """Queries and median in-process time of one anonymous GET, through Django's test client."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    # Read them now: every request start empties the connection's query log.
    look = {
        "status": response.status_code,
        "queries": len(queries),
        "sql_ms": sum(float(query["time"]) for query in queries.captured_queries) * 1000,
        "bytes": len(response.content),
    }
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        client.get(path)
        times.append(time.perf_counter() - started)
    return {**look, "ms": statistics.median(times) * 1000}


# --- Serving and loading -----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(env: dict, port: int, log: Path) -> subprocess.Popen:
    server = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "backstage.wsgi",
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{port}",
            "--error-logfile",
            str(log),
        ],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited; see {log}:\n{log.read_text()[-2000:]}")
        try:
            if _get(port, "/healthz")[0] == 200:
                return server
        except OSError:
            pass
        time.sleep(0.2)
    server.terminate()
    raise RuntimeError("gunicorn did not answer /healthz within 30 s")


def stop_gunicorn(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def _get(port: int, path: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def load(port: int, path: str, seconds: float, concurrency: int, bodies: str = "") -> dict:
    """The load generator (run in its own process): hammer one URL, report latencies.

    With `bodies` (a file of one request body a line), POST them in turn, expecting 2xx."""
    payloads = Path(bodies).read_bytes().splitlines() if bodies else []
    latencies: list[list[float]] = [[] for _ in range(concurrency)]
    errors = [0] * concurrency
    deadline = time.perf_counter() + seconds

    def worker(n: int) -> None:
        # gunicorn's sync workers close every connection; http.client reopens it as needed.
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        sent = n
        while (started := time.perf_counter()) < deadline:
            try:
                if payloads:
                    body = payloads[sent % len(payloads)]
                    sent += concurrency
                    connection.request("POST", path, body, {"Content-Type": "text/plain"})
                else:
                    connection.request("GET", path)
                response = connection.getresponse()
                response.read()
                ok = 200 <= response.status < 300
            except (OSError, http.client.HTTPException):
                connection.close()
                ok = False
            latencies[n].append(time.perf_counter() - started)
            errors[n] += not ok
        connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    every = sorted(latency for per_thread in latencies for latency in per_thread)
    return {
        "requests": len(every),
        "errors": sum(errors),
        "rps": len(every) / elapsed,
        "p50_ms": every[len(every) // 2] * 1000 if every else 0,
        "p99_ms": every[min(len(every) - 1, int(len(every) * 0.99))] * 1000 if every else 0,
    }


def run_load(port: int, path: str, seconds: float, bodies: str = "") -> dict:
    """Warm up, then load `path` from a second process for `seconds` (POSTing `bodies`)."""
    command = [sys.executable, "-m", "tests.bench.pages", "--load", str(port), path]
    subprocess.run(
        [*command, str(WARMUP), str(CONCURRENCY), bodies],
        cwd=REPO,
        check=True,
        capture_output=True,
    )
    result = subprocess.run(
        [*command, str(seconds), str(CONCURRENCY), bodies],
        cwd=REPO,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(result.stdout)


# --- The report --------------------------------------------------------------------------------


def report(urls: dict, looks: dict, results: dict) -> None:
    ping = results["ping"]["rps"]
    print(
        f"\n{'page':<8} {'requests/s':>10} {'p50 ms':>8} {'p99 ms':>8} {'% of /ping':>10} "
        f"{'target':>8} {'queries':>8} {'SQL ms':>7} {'view ms':>8} {'KB':>5}  url"
    )
    for name, path in urls.items():
        result, look = results[name], looks[name]
        share = 100 * result["rps"] / ping if ping else 0
        target = "—" if name == "ping" else ("met" if share >= TARGET_SHARE else "MISSED")
        errors = f"  ({result['errors']} errors)" if result["errors"] else ""
        print(
            f"{name:<8} {result['rps']:>10.0f} {result['p50_ms']:>8.1f} {result['p99_ms']:>8.1f} "
            f"{share:>9.0f}% {target:>8} {look['queries']:>8} {look['sql_ms']:>7.1f} "
            f"{look['ms']:>8.1f} {look['bytes'] / 1024:>5.0f}  {path}{errors}"
        )
    print(
        f"target: each page ≥ {TARGET_SHARE}% of /ping's requests/s. queries / SQL ms / view ms: "
        "one anonymous GET in-process\n(Django test client, median of 20), not under load."
    )


def in_throwaway_database(bench) -> None:
    """Run `bench()` on a freshly created BENCH_DB, dropped afterwards whatever happens."""
    recreate_database()
    try:
        bench()
    finally:
        from django.db import connections

        connections.close_all()
        drop_database()


def prepare(static_root: Path) -> dict[str, str]:
    """Set Django up in this process on the bench database, migrated and with static files
    collected; returns the environment to serve it with."""
    env = server_environment(static_root)
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    return env


def main() -> None:
    in_throwaway_database(bench)


def bench() -> None:
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="backstage-bench-") as tmp:
        env = server_environment(Path(tmp) / "static")
        os.environ.update(env)
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connections

        call_command("migrate", verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        urls = seed()
        ready = time.perf_counter() - started
        print(
            f"Page serving: {ARTISTS:,} artists, {ARTISTS * len(RELEASES):,} releases, "
            f"{ARTISTS * TRACKS_PER_ARTIST:,} tracks in {BENCH_DB} (ready in {ready:.0f} s); "
            f"gunicorn -w 2 (sync), {CONCURRENCY} client threads, {SECONDS:g} s per URL"
        )
        looks = {name: inspect_page(path) for name, path in urls.items()}
        connections.close_all()
        port = free_port()
        log = Path(tmp) / "gunicorn.log"
        server = start_gunicorn(env, port, log)
        try:
            results = {}
            for name, path in urls.items():
                status = _get(port, path)[0]
                if status != 200:
                    print(
                        f"  !! {path} answered {status}; gunicorn says:\n{log.read_text()[-3000:]}"
                    )
                results[name] = run_load(port, path, SECONDS)
        finally:
            stop_gunicorn(server)
        report(urls, looks, results)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--load"]:
        port, path, seconds, concurrency, *bodies = sys.argv[2:7]
        print(json.dumps(load(int(port), path, float(seconds), int(concurrency), *bodies)))
    else:
        main()
