"""Embed benchmark: `/embed/playlist/<id>` with 100 tracks under gunicorn, and its weight.

Seeds a throwaway PostgreSQL database (its own, so it can run beside the page benchmark) with
one artist, 100 ready tracks and a public playlist of all of them; serves it like
tests/bench/pages.py does (gunicorn -w 2, production settings, Redis page cache) and reports
requests/s, p50 and p99, against /ping. Then the bytes a visitor's browser fetches before any
artwork or audio: the HTML, CSS and JS, each gzip-compressed (as nginx or WhiteNoise would
send them). Target: ≤ 30 KB compressed in all. Prints figures; never fails on a missed target.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/backstage .venv/bin/python -m tests.bench.embed
"""

import gzip
import http.client
import os
import re
import tempfile
import time
from pathlib import Path

from tests.bench import pages

# Its own database and Redis database, so it can run beside the page benchmark.
pages.BENCH_DB = "backstage_bench_embed"
pages.BENCH_REDIS_URL = os.getenv("BENCH_EMBED_REDIS_URL", "redis://127.0.0.1:6379/12")
TRACKS = 100
TARGET_KB = 30


def seed() -> dict:
    from django.db import connection

    from artists.models import Artist
    from backstage.models import User
    from playlists import services
    from tracks.models import Rendition, Track

    user = User.objects.create(username="embedder", email="embedder@example.com", password="!")
    artist = Artist.objects.create(user=user, name="Bench Band", slug="bench-band")
    tracks = Track.objects.bulk_create(
        Track(
            artist=artist,
            title=f"Song number {n} with a reasonably long title",
            status=Track.Status.READY,
            duration=150 + n,
            original=f"originals/bench-{n}.flac",
            original_filename=f"bench-{n}.flac",
            peaks=[],
        )
        for n in range(TRACKS)
    )
    Rendition.objects.bulk_create(
        Rendition(track=track, format=fmt, file=f"renditions/{track.id}/{fmt}.{fmt}", size=1)
        for track in tracks
        for fmt in ("opus", "mp3")
    )
    playlist = services.create_playlist(owner=user, title="A hundred songs")
    services.add_tracks(playlist=playlist, tracks=tracks, by=user)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {"ping": "/ping", "embed": f"/embed/playlist/{playlist.public_id}"}


def _fetch(port: int, path: str) -> tuple[int, dict, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def weight(port: int, path: str) -> dict[str, tuple[int, int]]:
    """{name: (raw bytes, gzip bytes)} of the page and the CSS and JS it links."""
    status, headers, html = _fetch(port, path)
    assert status == 200, status
    print(f"page cache on the embed under gunicorn: {headers.get('X-Page-Cache', 'miss')}")
    parts = {"HTML": html}
    for url in re.findall(rb'(?:href|src)="(/static/[^"]+\.(?:css|js))"', html):
        parts[url.decode().rsplit("/", 1)[-1]] = _fetch(port, url.decode())[2]
    return {name: (len(body), len(gzip.compress(body, 9))) for name, body in parts.items()}


def main() -> None:
    pages.in_throwaway_database(bench)


def bench() -> None:
    with tempfile.TemporaryDirectory(prefix="backstage-bench-embed-") as tmp:
        env = pages.prepare(Path(tmp) / "static")
        from django.db import connections

        urls = seed()
        looks = {name: pages.inspect_page(path) for name, path in urls.items()}
        connections.close_all()
        port = pages.free_port()
        server = pages.start_gunicorn(env, port, Path(tmp) / "gunicorn.log")
        try:
            results = {
                name: pages.run_load(port, path, pages.SECONDS) for name, path in urls.items()
            }
            sizes = weight(port, urls["embed"])
        finally:
            pages.stop_gunicorn(server)
    print(
        f"Embed page: a public playlist of {TRACKS} tracks; gunicorn -w 2 (sync), "
        f"{pages.CONCURRENCY} client threads, {pages.SECONDS:g} s per URL. queries: the first"
        " (uncached) anonymous GET in-process; view ms: median of 20 more (page cache hits)"
    )
    print(
        f"\n{'page':<6} {'requests/s':>10} {'p50 ms':>8} {'p99 ms':>8} {'queries':>8} "
        f"{'view ms':>8}  url"
    )
    for name, path in urls.items():
        result, look = results[name], looks[name]
        errors = f"  ({result['errors']} errors)" if result["errors"] else ""
        print(
            f"{name:<6} {result['rps']:>10.0f} {result['p50_ms']:>8.1f} {result['p99_ms']:>8.1f} "
            f"{look['queries']:>8} {look['ms']:>8.1f}  {path}{errors}"
        )
    print(f"\n{'transferred':<28} {'raw KB':>7} {'gzip KB':>8}")
    for name, (raw, packed) in sizes.items():
        print(f"{name[:28]:<28} {raw / 1024:>7.1f} {packed / 1024:>8.1f}")
    total = sum(packed for _, packed in sizes.values())
    verdict = "met" if total <= TARGET_KB * 1024 else "MISSED"
    label = "total (before artwork, audio)"
    print(f"{label:<28} {'':>7} {total / 1024:>8.1f}  target ≤ {TARGET_KB} KB: {verdict}")


if __name__ == "__main__":
    started = time.perf_counter()
    main()
    print(f"({time.perf_counter() - started:.0f} s)")
