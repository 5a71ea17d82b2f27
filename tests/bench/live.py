"""Live radio benchmark: requests/s of GET /radio/live/now under gunicorn, against /ping.

Its own throwaway database (`backstage_bench_live`) and Redis database (10, or
`BENCH_LIVE_REDIS_URL`); 60 artists with two ready tracks each, so the schedule runs half an
hour ahead. /ping and /radio/live/now alternate in rounds (the load generator and the round
helpers of tests/bench/ingest.py and pages.py); each /now request records its listener in the
Redis presence set and serves the cached body. Target: /now ≥ 80 % of /ping's requests/s.
Also prints the cost per listener, by design of static/js/radio-live.js. Prints figures;
never fails on a missed target.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/backstage .venv/bin/python -m tests.bench.live
"""

import os
import tempfile
from pathlib import Path

from tests.bench import ingest, pages

pages.BENCH_DB = "backstage_bench_live"
pages.BENCH_REDIS_URL = os.getenv("BENCH_LIVE_REDIS_URL", "redis://127.0.0.1:6379/10")
ARTISTS = 60
TRACKS = 120
TRACK_SECONDS = 210.0
TARGET_SHARE = 80
NOW = "/radio/live/now?listening=1"  # a tuned-in player: the listener is recorded
ingest.ROUNDS = 5  # the median of five: on a shared machine single rounds swing by ±30 points


def main() -> None:
    pages.in_throwaway_database(bench)


def bench() -> None:
    with tempfile.TemporaryDirectory(prefix="backstage-bench-") as tmp:
        env = pages.prepare(Path(tmp) / "static")
        from django.db import connections

        from radio.models import LiveSlot

        ingest.seed_tracks(TRACKS, artists=ARTISTS, duration=TRACK_SECONDS)
        cold = pages.inspect_page(NOW, runs=1)  # the first request schedules and builds the body
        warm = pages.inspect_page(NOW, runs=200)
        ping = pages.inspect_page("/ping", runs=200)
        slots = LiveSlot.objects.count()
        connections.close_all()
        print(
            f"Live radio: {TRACKS} tracks of {TRACK_SECONDS:g} s by {ARTISTS} artists, {slots} "
            f"slots scheduled; gunicorn -w 2 (sync), Redis cache and presence, "
            f"{pages.CONCURRENCY} client threads, {pages.SECONDS:g} s per URL in "
            f"{ingest.ROUNDS} alternating rounds"
        )
        print(
            f"In-process (Django test client): the first {NOW} {cold['queries']} queries "
            f"(schedules half an hour, builds the body); then {warm['queries']} queries, "
            f"{warm['ms']:.2f} ms median (/ping {ping['ms']:.2f} ms)."
        )
        port = pages.free_port()
        server = pages.start_gunicorn(env, port, Path(tmp) / "gunicorn.log")
        try:
            rounds = ingest.alternate_rounds(port, NOW)
        finally:
            pages.stop_gunicorn(server)
    report(rounds)


def report(rounds: list[tuple[dict, dict]]) -> None:
    from radio.live import POLL_SECONDS  # how often static/js/radio-live.js polls

    share = ingest.report_rounds(rounds, NOW)
    print(
        f"{NOW}: median {share:.0f}% of /ping over {len(rounds)} rounds — target ≥ "
        f"{TARGET_SHARE}%: {'met' if share >= TARGET_SHARE else 'MISSED'}."
    )
    # By design (static/js/radio-live.js): a poll every POLL_SECONDS; per track, one GET at its
    # boundary, the POST that tunes in and the player's GET /track/<id>/play.
    per_minute = 60 / POLL_SECONDS + 3 * 60 / TRACK_SECONDS
    now_per_minute = 60 / POLL_SECONDS + 60 / TRACK_SECONDS
    rps = sorted(other["rps"] for _, other in rounds)[len(rounds) // 2]
    print(
        f"Cost per listener: {per_minute:.2f} requests a minute ({now_per_minute:.2f} of them "
        f"{NOW}) with {TRACK_SECONDS:g}-second tracks; at the median {rps:.0f} requests/s "
        f"of {NOW}, these two workers would serve about {rps * 60 / now_per_minute:,.0f} "
        "listeners' polls (audio streams aside)."
    )


if __name__ == "__main__":
    main()
