"""Drain benchmark: beacons/s moved from the Redis buffer into PostgreSQL, rollups included,
against a raw COPY of the same rows into a scratch table, in the same run.

Its own throwaway database (`backstage_bench_drain`) and Redis database (12, or
`BENCH_DRAIN_REDIS_URL`); 100 ready tracks; 20,000 plays of three beacons each (start,
progress, pause; two in three heard past 30 s; 5,000 listeners, half of the plays from
embeds) written to the Redis stream as the beacon view writes them. Then
`services.drain_buffer` empties it in batches of BEACON_DRAIN_BATCH (5,000), and psycopg's
COPY writes the same 60,000 beacons as rows of a table with one column per field. Target: the
drain ≥ 25 % of COPY's rows/s. Also printed: the floor (only the sessions and events the drain
wrote, COPY'd into the real tables and rolled back) and the drain process's own CPU time.
Prints figures; never fails on a missed target.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/backstage .venv/bin/python -m tests.bench.drain
"""

import json
import os
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from tests.bench import pages
from tests.bench.ingest import seed_tracks

pages.BENCH_DB = "backstage_bench_drain"
pages.BENCH_REDIS_URL = os.getenv("BENCH_DRAIN_REDIS_URL", "redis://127.0.0.1:6379/12")
TRACKS = 100
PLAYS = 20_000
TARGET_SHARE = 25
COLUMNS = {
    "n": "text", "t": "integer", "l": "text", "ip": "text", "s": "text", "o": "text",
    "c": "text", "i": "bigint", "seq": "integer", "event": "text", "position": "float8",
    "at": "float8", "ua": "text", "received": "timestamptz",
}  # fmt: skip


def beacons(tracks: list) -> list[dict]:
    """What the beacon view buffers for each play: the token's claims, the beacon, the client."""
    issued = int(time.time()) - 3600
    entries = []
    for n in range(PLAYS):
        track = tracks[n % len(tracks)]
        claims = {
            "t": track.pk, "p": track.public_id, "d": track.duration, "l": f"a:{n % 5000:016x}",
            "s": ("track", "embed")[n % 2], "o": ("", "https://blog.example")[n % 2], "c": "",
            "i": issued + n % 3600, "n": f"{n:032x}",
        }  # fmt: skip
        heard = (45, 12, 190)[n % 3]
        steps = [("start", 0), ("progress", heard / 2), ("pause", heard)]
        for seq, (event, position) in enumerate(steps):
            entries.append(
                {**claims, "seq": seq, "event": event, "position": float(position),
                 "at": float(position * 1000), "ua": "Mozilla/5.0 Firefox/140.0",
                 "ip": f"{n % 7000:016x}",
                 # as the view stamps it: while the music played (the drain checks the clock)
                 "received": datetime.fromtimestamp(claims["i"] + position + 0.1, UTC).isoformat()}
            )  # fmt: skip
    return entries


def fill_buffer(entries: list[dict]) -> None:
    from analytics import buffer

    client = buffer._redis()
    client.delete(buffer.key())
    for start in range(0, len(entries), 5000):
        pipe = client.pipeline(transaction=False)
        for entry in entries[start : start + 5000]:
            pipe.xadd(buffer.key(), {"b": json.dumps(entry)})
        pipe.execute()


def backend_cpu(pid: int) -> float | None:
    """CPU seconds a local PostgreSQL backend has used (None if /proc does not tell)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def drain() -> tuple[float, float, float | None]:
    """Seconds to empty the buffer, the CPU seconds this process spent on it (Python's side),
    and those its PostgreSQL backend spent (the rest of the wall time is Redis's work and
    waiting for a core): the two CPU figures move much less with the neighbours' load."""
    from django.db import connection, connections

    from analytics import services

    connections.close_all()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    database = backend_cpu(pid)
    started, cpu = time.perf_counter(), time.process_time()
    services.drain_buffer(seconds=3600)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    after = backend_cpu(pid)
    return elapsed, cpu, (after - database if None not in (after, database) else None)


def copy(entries: list[dict]) -> float:
    """Seconds to COPY the same beacons into a scratch table (created and dropped around it)."""
    from django.db import connection

    columns = ", ".join(f'"{name}" {kind}' for name, kind in COLUMNS.items())
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE bench_copy ({columns})")
    names = ", ".join(f'"{name}"' for name in COLUMNS)
    try:
        started = time.perf_counter()
        # Autocommit: the COPY commits as it ends.
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY bench_copy ({names}) FROM STDIN") as pipe,
        ):
            for entry in entries:
                pipe.write_row([entry[name] for name in COLUMNS])
        return time.perf_counter() - started
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE bench_copy")


def floor() -> float:
    """Seconds to write only the rows the drain must keep — its sessions (beacons as JSON) and
    events — by COPY into the real tables (indexes, partitions), rolled back: no design of the
    drain writes them faster."""
    from django.db import connection, transaction

    from analytics import inserts
    from analytics.models import PlayEvent, PlaySession

    sessions = [
        (*row[:3], json.dumps(row[3]), row[4])
        for row in PlaySession.objects.values_list(*inserts.SESSION_COLUMNS)
    ]
    events = list(PlayEvent.objects.values_list(*inserts.EVENT_COLUMNS))
    tables = (PlaySession._meta.db_table, PlayEvent._meta.db_table)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(tables)}")
        started = time.perf_counter()
        inserts.copy_rows(cursor, tables[0], inserts.SESSION_COLUMNS, sessions)
        inserts.copy_rows(cursor, tables[1], inserts.EVENT_COLUMNS, events)
        elapsed = time.perf_counter() - started
        transaction.set_rollback(True)
    return elapsed


def check(plays: int) -> str:
    """The drain's work is right: every play once, rollups equal to a rebuild."""
    from analytics import rollups
    from analytics.models import PlayEvent, PlayRollup

    fields = ("scope", "scope_id", "grain", "bucket", "source", *rollups.METRICS)
    kept = sorted(PlayRollup.objects.exclude(streams=0).values_list(*fields))
    rollups.rebuild()
    rebuilt = sorted(PlayRollup.objects.exclude(streams=0).values_list(*fields))
    events, counted = PlayEvent.objects.count(), PlayEvent.objects.filter(counted=True).count()
    ok = events == plays and kept == rebuilt
    return f"{events:,} events, {counted:,} counted, rollups {'=' if ok else '≠'} rebuild"


def main() -> None:
    pages.in_throwaway_database(bench)


def bench() -> None:
    with tempfile.TemporaryDirectory(prefix="backstage-bench-") as tmp:
        pages.prepare(Path(tmp) / "static")
    from django.conf import settings

    from analytics import buffer

    entries = beacons(seed_tracks(TRACKS))
    fill_buffer(entries)
    print(
        f"Drain: {len(entries):,} beacons ({PLAYS:,} plays, {TRACKS} tracks) in the Redis stream; "
        f"batches of {settings.BEACON_DRAIN_BATCH:,}"
    )
    drain_seconds, drain_cpu, database_cpu = drain()
    left = buffer.waiting()
    verdict = check(PLAYS)
    floor_seconds = floor()
    copy_seconds = copy(entries)
    drain_rate, copy_rate = len(entries) / drain_seconds, len(entries) / copy_seconds
    share = 100 * drain_rate / copy_rate
    print(f"\n{'what':<34} {'seconds':>8} {'beacons/s':>9} {'% of COPY':>10}")
    for label, seconds in (
        ("drain (Redis → events + rollups)", drain_seconds),
        ("floor: COPY of its sessions+events", floor_seconds),
        ("COPY of the same rows", copy_seconds),
    ):
        rate = len(entries) / seconds
        print(f"{label:<34} {seconds:>8.2f} {rate:>9,.0f} {100 * rate / copy_rate:>9.0f}%")
    print(
        f"drain: {share:.0f}% of COPY — target ≥ {TARGET_SHARE}%: "
        f"{'met' if share >= TARGET_SHARE else 'MISSED'}. {verdict}; {left} beacons left behind."
        f" The drain's own CPU: {drain_cpu:.2f} s"
        + (f", its PostgreSQL backend's: {database_cpu:.2f} s." if database_cpu else ".")
    )


if __name__ == "__main__":
    main()
