"""The monthly distribution of the supporter pool (docs/payments.md "Supporter plan").

Each supporter's pool money of a month is split among the artists that supporter played that
month, in proportion to their counted plays (listener key u:<user id>), each (fan, artist)
capped at SUPPORTER_PLAY_CAP, with splitting.allocate's rule so the parts sum exactly. A supporter
with no counted plays follows the published fallback: the artists the radio played that month,
by radio plays; if the radio played nobody, equally among artists with public tracks. Money is
never silently kept by the platform: if there is no artist at all it stays in the pool.

Two ways to compute the same parts: on PostgreSQL one statement does it all (SHARES_SQL: the
aggregate, the per-fan cap, the largest-remainder rounding with window functions, the writing of
one SupporterAllocation row per fan and the sums per artist); elsewhere (the embedded SQLite) a
plain loop over one aggregate query calls splitting.allocate per fan. Both are tested to agree on
the same data. Then one ledger transaction per currency (reference "distribution-2026-11") moves
the pool to the artists' balances, one entry per artist. Running a month again changes nothing.
"""

import logging
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Exists, Max, OuterRef
from django.utils import timezone

from analytics.models import PlayEvent
from artists.models import Artist
from tracks.models import Visibility

from . import ledger
from .distribution_sql import (
    FALLBACK_SQL,
    MARK_RUN_SQL,
    POOLS_SQL,
    POOLS_TABLE_SQL,
    RADIO_SQL,
    SHARES_SQL,
)
from .models import LedgerAccount, LedgerTransaction, SupporterAllocation, SupporterMonth
from .splitting import allocate

log = logging.getLogger(__name__)

BATCH = 2_000
FAN_ID = re.compile(r"[1-9][0-9]*")

Sums = dict[str, dict[int, int]]  # currency → artist id → minor units


@dataclass
class Distribution:
    month: date
    already_done: bool = False
    supporters: int = 0
    fallback_supporters: int = 0
    shares: int = 0  # (fan, artist) parts with money
    moved: dict[str, int] = field(default_factory=dict)  # currency → minor units


def parse_month(text: str) -> date:
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", text or ""):
        raise ValueError(f"A month is written YYYY-MM, not {text!r}.")
    return date(int(text[:4]), int(text[5:]), 1)


def last_month(today: date | None = None) -> date:
    today = today or timezone.now().date()
    first = today.replace(day=1)
    return date(first.year - (first.month == 1), (first.month - 2) % 12 + 1, 1)


def reference_of(month: date, currency: str, run: int = 1) -> str:
    """distribution-2026-11 (other currencies: -usd); later runs of the month: -run2, …"""
    suffix = "" if currency == settings.PAYMENTS_CURRENCY else f"-{currency}"
    again = "" if run == 1 else f"-run{run}"
    return f"distribution-{month:%Y-%m}{suffix}{again}"


def _bounds(month: date) -> tuple[datetime, datetime]:
    start = datetime(month.year, month.month, 1, tzinfo=UTC)
    end = datetime(month.year + (month.month == 12), month.month % 12 + 1, 1, tzinfo=UTC)
    return start, end


def fallback_weights(month: date) -> list[tuple[int, int]]:
    """[(artist id, weight)] for supporters who played nobody: radio plays of the month, or
    1 each for the artists with public tracks."""
    start, end = _bounds(month)
    with connection.cursor() as cursor:
        cursor.execute(RADIO_SQL, {"start": start, "end": end})
        weights = [(artist_id, count) for artist_id, count in cursor.fetchall()]
    if weights:
        return weights
    # Suspended artists show no music, so they get no equal share of nobody's listening; their
    # counted plays (and radio plays) still earn their part, held by the payouts until lifted.
    artists = (
        Artist.objects.filter(tracks__visibility=Visibility.PUBLIC, is_suspended=False)
        .distinct()
        .order_by("id")
        .values_list("id", flat=True)
    )
    return [(artist_id, 1) for artist_id in artists]


def _artist_accounts(artist_ids, currency: str) -> dict[int, LedgerAccount]:
    """The artists' balance accounts in `currency`, the missing ones made in one insert."""

    def existing():
        return {
            account.artist_id: account
            for account in LedgerAccount.objects.filter(
                kind=LedgerAccount.Kind.ARTIST_BALANCE,
                currency=currency,
                artist_id__in=artist_ids,
            )
        }

    accounts = existing()
    missing = set(artist_ids) - set(accounts)
    if missing:
        LedgerAccount.objects.bulk_create(
            [
                LedgerAccount(
                    kind=LedgerAccount.Kind.ARTIST_BALANCE, artist_id=pk, currency=currency
                )
                for pk in missing
            ],
            ignore_conflicts=True,
        )
        accounts = existing()
    return accounts


def _allocation(month, run, fan_id, currency, pool, parts) -> SupporterAllocation:
    """The row for one fan's non-zero `parts` [(artist id, amount, plays)]."""
    parts = [part for part in parts if part[1]]
    return SupporterAllocation(
        month=month,
        run=run,
        fan_id=fan_id,
        currency=currency,
        pool=pool,
        fallback=False,
        artist_ids=[artist_id for artist_id, _, _ in parts],
        amounts=[amount for _, amount, _ in parts],
        plays=[plays for _, _, plays in parts],
    )


def _add(sums: Sums, row: SupporterAllocation) -> None:
    into = sums[row.currency]
    for artist_id, amount in zip(row.artist_ids, row.amounts, strict=True):
        into[artist_id] = into.get(artist_id, 0) + amount


def _shares_in_sql(cursor, params: dict, pools_sql: str, result: Distribution) -> Sums:
    """PostgreSQL: every played supporter's row written by SHARES_SQL; the sums per artist."""
    cursor.execute(POOLS_TABLE_SQL.format(pools=pools_sql), params)
    cursor.execute("ANALYZE supporter_pools")
    cursor.execute(SHARES_SQL, params)
    sums: Sums = defaultdict(dict)
    for currency, artist_id, amount, count in cursor.fetchall():
        sums[currency][artist_id] = int(amount)
        result.shares += count
    cursor.execute("DROP TABLE supporter_pools")  # a second month in this transaction makes it
    return sums


def _weights(month: date, fans: set[int]) -> dict[int, list[tuple[int, int]]]:
    """{fan id: [(artist id, capped counted plays)], by artist id} for `fans`' plays of `month`:
    SHARES_SQL's `weights`, read through the ORM."""
    start, end = _bounds(month)
    cap = settings.SUPPORTER_PLAY_CAP
    plays = (
        PlayEvent.objects.filter(
            counted=True,
            flagged=False,
            started_at__gte=start,
            started_at__lt=end,
            listener_key__startswith="u:",
        )
        .filter(Exists(Artist.objects.filter(id=OuterRef("artist_id"))))
        .values_list("listener_key", "artist_id")
        .annotate(count=Count("id"))
        .order_by()
    )
    weights = defaultdict(list)
    for listener_key, artist_id, count in plays.iterator(chunk_size=BATCH):
        fan_id = listener_key[2:]  # SHARES_SQL matches 'u:' || fan_id exactly, so must this
        if FAN_ID.fullmatch(fan_id) and int(fan_id) in fans:
            weights[int(fan_id)].append((artist_id, min(count, cap)))
    return {fan_id: sorted(played) for fan_id, played in weights.items()}


def _shares_in_python(cursor, params: dict, pools_sql: str, result: Distribution) -> Sums:
    """Anywhere (the embedded SQLite): the same parts as SHARES_SQL, by splitting.allocate."""
    cursor.execute(pools_sql, params)
    pools = cursor.fetchall()
    month = params["month"]
    weights = _weights(month, {fan_id for _, fan_id, _, _ in pools})
    sums: Sums = defaultdict(dict)
    rows = []
    for _, fan_id, currency, pool in pools:
        played = weights.get(fan_id)
        if not played:
            continue
        parts = allocate(pool, [plays for _, plays in played])
        row = _allocation(
            month,
            params["run"],
            fan_id,
            currency,
            pool,
            [(a, part, plays) for (a, plays), part in zip(played, parts, strict=True)],
        )
        rows.append(row)
        _add(sums, row)
        result.shares += len(row.artist_ids)
    SupporterAllocation.objects.bulk_create(rows, batch_size=BATCH)
    return sums


def _fallback(cursor, params: dict, pools_sql: str, idle: list[tuple], sums: Sums, result):
    """Share the pools of supporters who played nobody by fallback_weights. Most of their pools
    are equal: each distinct (currency, pool) is split once and written for all its fans by one
    INSERT … SELECT (sending 5,000 fans' rows of ~400 parts from Python took ~6 s)."""
    if not idle:
        return
    month = params["month"]
    fallback = fallback_weights(month)
    if not fallback:
        log.warning("No artist to share %s's fallback money with: it stays in the pool", month)
        return
    field = SupporterAllocation._meta.get_field("amounts")
    groups = Counter((currency, pool) for _, _, currency, pool in idle)
    for (currency, pool), fans in sorted(groups.items()):
        parts = allocate(pool, [weight for _, weight in fallback])
        given = [(artist_id, part) for (artist_id, _), part in zip(fallback, parts, strict=True)]
        given = [(artist_id, part) for artist_id, part in given if part]
        lists = {
            "artist_ids": [artist_id for artist_id, _ in given],
            "amounts": [part for _, part in given],
            "plays": [0] * len(given),
        }
        cursor.execute(
            FALLBACK_SQL.format(pools=pools_sql),
            params
            | {"pool": pool, "currency": currency, "yes": True}
            | {name: field.get_db_prep_value(values, connection) for name, values in lists.items()},
        )
        into = sums[currency]
        for artist_id, part in given:
            into[artist_id] = into.get(artist_id, 0) + part * fans
        result.fallback_supporters += fans
        result.shares += len(given) * fans


def _book(month: date, run: int, sums: Sums, result: Distribution) -> None:
    """One ledger transaction per currency: supporter_pool −total, each artist +their sum."""
    for currency, amounts in sorted(sums.items()):
        if not amounts:
            continue
        accounts = _artist_accounts(list(amounts), currency)
        total = sum(amounts.values())
        pool_account = ledger.get_account(kind=LedgerAccount.Kind.SUPPORTER_POOL, currency=currency)
        ledger.post_transaction(
            kind=LedgerTransaction.Kind.DISTRIBUTION,
            reference=reference_of(month, currency, run),
            memo=f"Supporter pool of {month:%B %Y} to {len(amounts)} "
            + ("artist" if len(amounts) == 1 else "artists")
            + ("" if run == 1 else f" (run {run}: money booked after the first)"),
            currency=currency,
            entries=[(pool_account, -total)]
            + [(accounts[pk], amount) for pk, amount in sorted(amounts.items())],
        )
        result.moved[currency] = total


def _unshared(month: date) -> list[str]:
    """The currencies with money of `month` no run has shared out yet."""
    return sorted(
        SupporterMonth.objects.filter(month=month, pool__gt=0, run=None)
        .values_list("currency", flat=True)
        .distinct()
    )


def distribute_month(*, month: date | None = None, engine: str | None = None) -> Distribution:
    """Share out `month`'s supporter pool (default: last month): every SupporterMonth row no
    earlier run shared out, as run 1, 2, … of the month (money booked after the month's first
    run, e.g. an invoice.paid retried for hours, goes out with the next). `engine` "sql"
    (PostgreSQL's default) or "python" (anywhere; SQLite's) says how the parts are computed."""
    month = month or last_month()
    engine = engine or ("sql" if connection.vendor == "postgresql" else "python")
    result = Distribution(month=month)
    if not _unshared(month):
        result.already_done = SupporterMonth.objects.filter(month=month, pool__gt=0).exists()
        return result
    start, end = _bounds(month)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A second run racing this one (or a supporter refund, supporters.py) waits here,
            # then finds the rows shared out. Aggregating and sorting millions of (fan, artist)
            # rows wants more memory than a page view's default.
            cursor.execute("LOCK TABLE payments_supporterallocation IN SHARE ROW EXCLUSIVE MODE")
            cursor.execute("SET LOCAL work_mem = '256MB'")
        todo = _unshared(month)
        if not todo:
            result.already_done = True
            return result
        done = SupporterMonth.objects.filter(month=month).aggregate(run=Max("run"))["run"]
        run = (done or 0) + 1
        placeholders = ", ".join(f"%(c{i})s" for i in range(len(todo)))
        pools_sql = POOLS_SQL.format(currencies=placeholders)
        params = {
            "cap": settings.SUPPORTER_PLAY_CAP,
            "month": month,
            "run": run,
            "start": start,
            "end": end,
            **{f"c{i}": c for i, c in enumerate(todo)},
        }
        cursor.execute(f"SELECT COUNT(DISTINCT fan_id) FROM ({pools_sql}) o", params)
        (result.supporters,) = cursor.fetchone()
        shares = _shares_in_sql if engine == "sql" else _shares_in_python
        sums = shares(cursor, params, pools_sql, result)
        cursor.execute(
            f"""SELECT o.key, o.fan_id, o.currency, o.pool FROM ({pools_sql}) o
            WHERE NOT EXISTS (SELECT 1 FROM payments_supporterallocation s
                WHERE s.month = %(month)s AND s.run = %(run)s AND s.fan_id = o.fan_id
                    AND s.currency = o.currency)
            ORDER BY o.fan_id, o.currency""",
            params,
        )
        idle = cursor.fetchall()
        _fallback(cursor, params, pools_sql, idle, sums, result)
        cursor.execute(MARK_RUN_SQL.format(currencies=placeholders), params)
        _book(month, run, sums, result)
    return result


def distribute_ended_months(*, today: date | None = None) -> list[Distribution]:
    """Every month before this one with money no run has shared yet, oldest first (daily
    beat: last month's pool on the 1st, late invoices of any ended month the day after)."""
    today = today or timezone.now().date()
    months = (
        SupporterMonth.objects.filter(month__lt=today.replace(day=1), pool__gt=0, run=None)
        .values_list("month", flat=True)
        .distinct()
        .order_by("month")
    )
    return [distribute_month(month=month) for month in months]
