"""The supporter plan's monthly distribution at scale (PostgreSQL only).

    .venv/bin/python -m tests.bench supporters      # SUPPORTERS_SCALE=0.1 for a tenth

100,000 supporters (each €5.00, a pool of €4.05), 20,000 artists and 10,000,000 PlayEvent rows
in November 2026 (fans and artists drawn with a skew: some fans play hundreds of plays, some
none; ~10 % not counted, ~0.5 % flagged, ~8 % radio). Made with generate_series in a kept
database (`backstage_bench_supporters`; BENCH_FRESH=1 regenerates). Each run clears the
previous run's distribution, then times `distribute_month` (target ≤ 60 s) and the ledger
check: audit_ledger() and every artist's balance against the sum of their entries; then the
fans' SupporterAllocation rows against it (each fan's parts sum to their pool, each artist's
balance is the sum of their parts across all fans).
"""

import os
import time
from datetime import date

from tests.bench import playdata

BENCH_DB = "backstage_bench_supporters"
SCALE = float(os.getenv("SUPPORTERS_SCALE", "1"))
FANS = int(100_000 * SCALE)
ARTISTS = int(20_000 * SCALE)
PLAYS = int(10_000_000 * SCALE)
POOL = 405
MONTH = date(2026, 11, 1)
CHUNK = 1_000_000
PARTS = """
    SELECT s.fan_id, s.pool, a AS artist_id, m AS amount
    FROM payments_supporterallocation s,
        unnest(s.artist_ids, s.amounts) AS parts (a, m)
"""
PARTS_PER_ARTIST = f"SELECT artist_id, SUM(amount) FROM ({PARTS}) p GROUP BY artist_id"
FANS_NOT_SUMMING = f"""SELECT COUNT(*) FROM (SELECT fan_id FROM ({PARTS}) p
    GROUP BY fan_id, pool HAVING SUM(amount) <> pool) f"""


def generate(cursor) -> None:
    say = lambda text: print(text, flush=True)  # noqa: E731
    started = time.perf_counter()
    cursor.execute(
        "TRUNCATE analytics_playevent, payments_supporterallocation, payments_supportermonth,"
        " payments_ledgerentry, payments_ledgertransaction, payments_ledgeraccount,"
        " artists_artist, backstage_user CASCADE"
    )
    users = """
        INSERT INTO backstage_user (id, password, is_superuser, username, first_name, last_name,
            email, is_staff, is_active, date_joined, display_name, email_new_releases,
            public_profile)
        SELECT g, '!', false, 'u' || g, '', '', '', false, true, now(), '', false, false
        FROM generate_series(1, %s) g"""
    cursor.execute(users, [FANS + ARTISTS])
    sequence = "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)"
    cursor.execute(sequence, ["backstage_user", FANS + ARTISTS])
    cursor.execute(
        """INSERT INTO artists_artist (id, name, slug, bio, links, location, avatar, banner,
            is_suspended, created_at, user_id)
        SELECT g, 'Artist ' || g, 'artist-' || g, '', '[]', '', '', '', false, now(), %s + g
        FROM generate_series(1, %s) g""",
        [FANS, ARTISTS],
    )
    cursor.execute(sequence, ["artists_artist", ARTISTS])
    cursor.execute(
        """INSERT INTO payments_supportermonth (fan_id, month, invoice_id, amount, pool, currency,
            created_at)
        SELECT g, %s, 'in_bench_' || g, 500, %s, 'eur', now() FROM generate_series(1, %s) g""",
        [MONTH, POOL, FANS],
    )
    say(f"  {FANS:,} supporters, {ARTISTS:,} artists ({time.perf_counter() - started:.0f} s)")
    cursor.execute(
        "SELECT indexdef, indexname FROM pg_indexes WHERE tablename = 'analytics_playevent'"
        " AND indexname NOT LIKE '%%pkey'"
    )
    indexes = cursor.fetchall()
    for _, name in indexes:
        cursor.execute(f'DROP INDEX IF EXISTS "{name}"')
    cursor.execute("SELECT setseed(0.42)")
    sql = """
        INSERT INTO analytics_playevent (nonce, track_id, artist_id, listener_key, ip_key, source,
            origin, context, started_at, heard_seconds, counted, counted_at, completion,
            skipped_early, flagged, flag_reason)
        SELECT md5('p' || g), a, a, 'u:' || f,
            '', CASE WHEN r < 0.08 THEN 'radio' ELSE 'direct' END, '', '', t, 60, c,
            CASE WHEN c THEN t END, 'complete', false, r > 0.995, ''
        FROM (
            -- every 20th supporter plays nothing: the fallback
            SELECT g, (1 + floor(%(fans)s * power(random(), 1.6))::int) / 20 * 20 + 1
                    + floor(random() * 19)::int AS f,
                1 + floor(%(artists)s * power(random(), 2))::int AS a, random() AS r,
                random() < 0.9 AS c,
                timestamptz '2026-11-01' + interval '30 days' * random() AS t
            FROM generate_series(%(first)s::bigint, %(last)s::bigint) g
        ) draws"""
    for first in range(1, PLAYS + 1, CHUNK):
        last = min(PLAYS, first + CHUNK - 1)
        cursor.execute(sql, {"fans": FANS, "artists": ARTISTS, "first": first, "last": last})
        say(f"  {last:>12,} plays ({time.perf_counter() - started:.0f} s)")
    cursor.execute("SET maintenance_work_mem = '512MB'")
    for definition, _ in indexes:
        cursor.execute(definition.replace(" ON ONLY ", " ON "))
    cursor.execute("ANALYZE")
    cursor.execute("CREATE TABLE IF NOT EXISTS bench_supporters (plays bigint)")
    cursor.execute("DELETE FROM bench_supporters")
    cursor.execute("INSERT INTO bench_supporters VALUES (%s)", [PLAYS])
    say(f"  generated in {time.perf_counter() - started:.0f} s")


def backend_cpu(cursor) -> float | None:
    """CPU seconds used so far by this connection's PostgreSQL backend, when the server runs on
    this machine (a figure the other work on a shared machine does not inflate, unlike wall
    time); None otherwise."""
    cursor.execute("SELECT pg_backend_pid()")
    try:
        with open(f"/proc/{cursor.fetchone()[0]}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    playdata.use_database(BENCH_DB)
    from django.db import connection, transaction
    from django.db.models import Sum

    from payments import ledger
    from payments.distribution import distribute_month
    from payments.models import LedgerAccount, LedgerEntry

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_supporters (plays bigint)")
        cursor.execute("SELECT plays FROM bench_supporters")
        made = cursor.fetchone()
    if not made or made[0] != PLAYS:
        with transaction.atomic(), connection.cursor() as cursor:
            generate(cursor)
    with (
        connection.cursor() as cursor
    ):  # forget the last run's distribution (TRUNCATE: no triggers)
        cursor.execute(
            "TRUNCATE payments_supporterallocation, payments_ledgerentry,"
            " payments_ledgertransaction"
        )
        cursor.execute("UPDATE payments_supportermonth SET run = NULL WHERE run IS NOT NULL")
    ledger.post_transaction(
        kind="supporter_payment",
        reference="bench-invoices",
        currency="eur",
        entries=[
            (ledger.get_account(kind="customer_payments", currency="eur"), -POOL * FANS),
            (ledger.get_account(kind="supporter_pool", currency="eur"), POOL * FANS),
        ],
    )
    print(f"{FANS:,} supporters × {ARTISTS:,} artists × {PLAYS:,} plays (scale {SCALE:g})")
    with connection.cursor() as cursor:
        cpu = backend_cpu(cursor)
    load = os.getloadavg()[0]
    timings = []

    def timed(execute, sql, params, many, context):
        begun = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            timings.append((time.perf_counter() - begun, " ".join(sql.split())[:60]))

    started, python_cpu = time.perf_counter(), time.process_time()
    with connection.execute_wrapper(timed):
        result = distribute_month(month=MONTH)
    took, python_cpu = time.perf_counter() - started, time.process_time() - python_cpu
    with connection.cursor() as cursor:
        cpu = None if cpu is None else backend_cpu(cursor) - cpu
    used = f", Python CPU {python_cpu:.1f} s"
    used += "" if cpu is None else f", PostgreSQL backend CPU {cpu:.1f} s"
    load = f"load {load:.1f} before, {os.getloadavg()[0]:.1f} after"
    artists = LedgerAccount.objects.filter(kind="artist_balance").count()
    print(
        f"distribution: {took:.1f} s (target ≤ 60 s): {result.supporters:,} supporters "
        f"({result.fallback_supporters:,} by the fallback), {result.shares:,} shares, "
        f"{result.moved['eur']:,} cents to {artists:,} artists ({load}{used})"
    )
    in_sql = sum(seconds for seconds, _ in timings)
    slowest = ", ".join(f"{seconds:.1f} s {sql}…" for seconds, sql in sorted(timings)[-3:][::-1])
    print(f"  of which {len(timings)} queries {in_sql:.1f} s (slowest: {slowest}), Python the rest")
    started = time.perf_counter()
    audit = ledger.audit_ledger()
    per_artist = dict(
        LedgerEntry.objects.filter(account__kind="artist_balance")
        .values_list("account__artist_id")
        .annotate(total=Sum("amount"))
    )
    took = time.perf_counter() - started
    ok = not audit.problems and result.moved["eur"] == POOL * FANS
    print(f"ledger check: {took:.1f} s, {'balanced' if ok else audit.problems[:3]}")
    started = time.perf_counter()
    with connection.cursor() as cursor:  # every fan's parts, unpacked: per artist, and per fan
        cursor.execute(PARTS_PER_ARTIST)
        shares = dict(cursor.fetchall())
        cursor.execute(FANS_NOT_SUMMING)
        (uneven,) = cursor.fetchone()
    took = time.perf_counter() - started
    agree = per_artist == shares and not uneven
    verdict = "they agree" if agree else f"PROBLEMS: {uneven} fans' parts do not sum to their pool"
    print(
        f"allocations against the ledger: {took:.1f} s, {verdict} (each fan's parts sum to the"
        " pool; each artist's balance is the sum of their parts)"
    )
    again = time.perf_counter()
    assert distribute_month(month=MONTH).already_done
    print(f"running the month again: {time.perf_counter() - again:.2f} s, nothing changed")


if __name__ == "__main__":
    main()
