"""Beacon ingest benchmark: requests/s of POST /beacon under gunicorn, against /ping.

Its own throwaway database (`backstage_bench_ingest`) and Redis database (11, or
`BENCH_INGEST_REDIS_URL`); 50 ready tracks; 3,000 play tokens signed with the server's
SECRET_KEY, five beacons each, POSTed in turn (each a valid beacon, buffered in the Redis
stream) by the load generator of tests/bench/pages.py. Target: /beacon ≥ 80 % of /ping's
requests/s. Prints figures; never fails on a missed target.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/backstage .venv/bin/python -m tests.bench.ingest
"""

import json
import os
import statistics
import tempfile
from pathlib import Path

from tests.bench import pages

pages.BENCH_DB = "backstage_bench_ingest"
pages.BENCH_REDIS_URL = os.getenv("BENCH_INGEST_REDIS_URL", "redis://127.0.0.1:6379/11")
TRACKS = 50
PLAYS = 3_000
TARGET_SHARE = 80
ROUNDS = int(os.getenv("BENCH_ROUNDS", "3"))  # more on a busy machine: a steadier median


def seed_tracks(count: int, *, artists: int = 1, duration: float = 240.0) -> list:
    """`count` ready tracks by `artists` artists in turn, in bulk (shared with the drain and
    live benchmarks)."""
    from artists.models import Artist
    from backstage.models import User
    from tracks.models import Track

    users = User.objects.bulk_create(
        User(username=f"bench-player-{n}", email=f"bench{n}@example.com", password="!")
        for n in range(artists)
    )
    by = Artist.objects.bulk_create(
        Artist(user=user, name=f"Bench Player {n}", slug=f"bench-player-{n}")
        for n, user in enumerate(users)
    )
    return Track.objects.bulk_create(
        Track(
            artist=by[n % artists],
            title=f"Song {n}",
            status=Track.Status.READY,
            duration=duration,
            original=f"originals/bench-{n}.flac",
            original_filename=f"bench-{n}.flac",
            peaks=[],
        )
        for n in range(count)
    )


def beacon_bodies(tracks: list, path: Path) -> int:
    """One valid beacon a line: five per play token (start, three progress, pause)."""
    from django.test import RequestFactory

    from analytics import tokens

    factory = RequestFactory()
    lines = []
    for n in range(PLAYS):
        request = factory.get("/", REMOTE_ADDR=f"10.0.{n // 250}.{n % 250}")
        token = tokens.issue_play_token(
            request=request, track=tracks[n % len(tracks)], source="track", origin="",
            context="",
        )  # fmt: skip
        steps = [("start", 0), ("progress", 10), ("progress", 20), ("progress", 30), ("pause", 35)]
        for seq, (event, position) in enumerate(steps):
            body = {"token": token, "seq": seq, "event": event, "position": position,
                    "at": 1_000 + position * 1_000}  # fmt: skip
            lines.append(json.dumps(body))
    path.write_text("\n".join(lines))
    return len(lines)


def main() -> None:
    pages.in_throwaway_database(bench)


def bench() -> None:
    with tempfile.TemporaryDirectory(prefix="backstage-bench-") as tmp:
        env = pages.prepare(Path(tmp) / "static")
        from django.db import connections

        from analytics import buffer

        bodies = Path(tmp) / "beacons.txt"
        count = beacon_bodies(seed_tracks(TRACKS), bodies)
        connections.close_all()
        print(
            f"Beacon ingest: {count:,} distinct valid beacons ({PLAYS:,} tokens, {TRACKS} tracks); "
            f"gunicorn -w 2 (sync), Redis stream buffer, {pages.CONCURRENCY} client threads, "
            f"{pages.SECONDS:g} s per URL in {ROUNDS} alternating rounds"
        )
        port = pages.free_port()
        server = pages.start_gunicorn(env, port, Path(tmp) / "gunicorn.log")
        try:
            rounds = alternate_rounds(port, "/beacon", str(bodies))
            buffered = buffer.waiting()
        finally:
            pages.stop_gunicorn(server)
    report(rounds, buffered)


def alternate_rounds(port: int, path: str, bodies: str = "") -> list[tuple[dict, dict]]:
    """(/ping, `path`) in ROUNDS alternating rounds: the machine is shared, so both URLs see
    the same weather."""
    rounds = []
    for _ in range(ROUNDS):
        ping = pages.run_load(port, "/ping", pages.SECONDS / ROUNDS)
        other = pages.run_load(port, path, pages.SECONDS / ROUNDS, bodies)
        rounds.append((ping, other))
    return rounds


def report(rounds: list[tuple[dict, dict]], buffered: int) -> None:
    share = report_rounds(rounds, "/beacon")
    print(
        f"/beacon: median {share:.0f}% of /ping over {len(rounds)} rounds — target ≥ "
        f"{TARGET_SHARE}%: {'met' if share >= TARGET_SHARE else 'MISSED'}. In the Redis stream "
        f"afterwards: {buffered:,} beacons, every one accepted."
    )


def report_rounds(rounds: list[tuple[dict, dict]], path: str) -> float:
    """Print alternating rounds of /ping and `path`; return `path`'s median share of /ping."""
    width = max(8, len(path))
    print(
        f"\n{'round':<6} {'url':<{width}} {'requests/s':>10} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'% of /ping':>10}"
    )
    shares = []
    for n, (ping, other) in enumerate(rounds, start=1):
        shares.append(100 * other["rps"] / ping["rps"])
        for name, result in (("/ping", ping), (path, other)):
            errors = f"  ({result['errors']} errors)" if result["errors"] else ""
            print(
                f"{n:<6} {name:<{width}} {result['rps']:>10.0f} {result['p50_ms']:>8.1f} "
                f"{result['p99_ms']:>8.1f} {100 * result['rps'] / ping['rps']:>9.0f}%{errors}"
            )
    return statistics.median(shares)


if __name__ == "__main__":
    main()
