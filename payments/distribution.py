"""The monthly distribution of the supporter pool (docs/payments.md "Supporter plan").

Each supporter's pool money of a month is split among the artists that supporter played that
month, in proportion to their counted plays (listener key u:<user id>), each (fan, artist)
capped at SUPPORTER_PLAY_CAP, with splitting.allocate so the parts sum exactly. A supporter
with no counted plays follows the published fallback: the artists the radio played that month,
by radio plays; if the radio played nobody, equally among artists with public tracks. Money is
never silently kept by the platform: if there is no artist at all it stays in the pool.

Set-based: one aggregate query gives every (fan, artist) play count; one ledger transaction
per currency (reference "distribution-2026-11") moves the pool to the artists' balances, and
SupporterShare rows say where each fan's money went. Running a month again changes nothing.
"""

import logging
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from artists.models import Artist
from tracks.models import Visibility

from . import ledger
from .models import LedgerAccount, LedgerTransaction, SupporterMonth, SupporterShare
from .splitting import allocate

log = logging.getLogger(__name__)

BATCH = 10_000


@dataclass
class Distribution:
    month: date
    already_done: bool = False
    supporters: int = 0
    fallback_supporters: int = 0
    shares: int = 0
    moved: dict[str, int] = field(default_factory=dict)  # currency → minor units


def parse_month(text: str) -> date:
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", text or ""):
        raise ValueError(f"A month is written YYYY-MM, not {text!r}.")
    return date(int(text[:4]), int(text[5:]), 1)


def last_month(today: date | None = None) -> date:
    today = today or timezone.now().date()
    first = today.replace(day=1)
    return date(first.year - (first.month == 1), (first.month - 2) % 12 + 1, 1)


def reference_of(month: date, currency: str) -> str:
    suffix = "" if currency == settings.PAYMENTS_CURRENCY else f"-{currency}"
    return f"distribution-{month:%Y-%m}{suffix}"


def _bounds(month: date) -> tuple[datetime, datetime]:
    start = datetime(month.year, month.month, 1, tzinfo=UTC)
    end = datetime(month.year + (month.month == 12), month.month % 12 + 1, 1, tzinfo=UTC)
    return start, end


# Pools of the month, per (fan, currency), in the currencies to distribute.
POOLS_SQL = """
    SELECT fan_id, currency, SUM(pool) AS pool FROM payments_supportermonth
    WHERE month = %(month)s AND pool > 0 AND currency IN ({currencies})
    GROUP BY fan_id, currency
"""

# Every supporter's capped plays per artist (one aggregate), then each pool split by
# splitting.allocate's rule, in SQL: floors of pool × plays / total, the units left over one
# each to the largest remainders, ties to the lower artist id (allocate's earlier position).
SHARES_SQL = """
    INSERT INTO payments_supportershare (month, fan_id, artist_id, amount, plays, currency)
    WITH pools AS ({pools}),
    weights AS (
        SELECT s.fan_id, p.artist_id, LEAST(COUNT(*), %(cap)s) AS plays
        FROM analytics_playevent p
        JOIN (SELECT fan_id, 'u:' || fan_id AS listener_key FROM payments_supportermonth
              WHERE month = %(month)s GROUP BY fan_id) s
          ON p.listener_key = s.listener_key
        JOIN artists_artist a ON a.id = p.artist_id
        WHERE p.counted AND NOT p.flagged
          AND p.started_at >= %(start)s AND p.started_at < %(end)s
        GROUP BY s.fan_id, p.artist_id
    ),
    totals AS (
        SELECT w.*, CAST(SUM(w.plays) OVER (PARTITION BY w.fan_id) AS bigint) AS total
        FROM weights w
    ),
    exact AS (
        SELECT t.fan_id, t.artist_id, t.plays, o.currency, o.pool,
            CAST(o.pool AS bigint) * t.plays / t.total AS part,
            CAST(o.pool AS bigint) * t.plays %% t.total AS remainder
        FROM totals t JOIN pools o ON o.fan_id = t.fan_id
    ),
    ranked AS (
        SELECT e.*,
            ROW_NUMBER() OVER (
                PARTITION BY fan_id, currency ORDER BY remainder DESC, artist_id
            ) AS position,
            pool - SUM(part) OVER (PARTITION BY fan_id, currency) AS left_over
        FROM exact e
    ),
    parts AS (
        SELECT fan_id, artist_id, plays, currency,
            part + CASE WHEN position <= left_over THEN 1 ELSE 0 END AS amount
        FROM ranked
    )
    SELECT %(month)s, fan_id, artist_id, amount, plays, currency FROM parts WHERE amount > 0
"""

RADIO_SQL = """
    SELECT p.artist_id, COUNT(*)
    FROM analytics_playevent p JOIN artists_artist a ON a.id = p.artist_id
    WHERE p.counted AND NOT p.flagged AND p.source = 'radio'
      AND p.started_at >= %(start)s AND p.started_at < %(end)s
    GROUP BY p.artist_id ORDER BY p.artist_id
"""


def fallback_weights(month: date) -> list[tuple[int, int]]:
    """[(artist id, weight)] for supporters who played nobody: radio plays of the month, or
    1 each for the artists with public tracks."""
    start, end = _bounds(month)
    with connection.cursor() as cursor:
        cursor.execute(RADIO_SQL, {"start": start, "end": end})
        weights = [(artist_id, count) for artist_id, count in cursor.fetchall()]
    if weights:
        return weights
    artists = (
        Artist.objects.filter(tracks__visibility=Visibility.PUBLIC)
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


def _write_shares(rows: list[tuple]) -> None:
    """Insert SupporterShare rows (month, fan, artist, amount, plays, currency): COPY on
    PostgreSQL, as a month can hold millions."""
    if not rows:
        return
    if connection.vendor == "postgresql":
        columns = "month, fan_id, artist_id, amount, plays, currency"
        sql = f"COPY payments_supportershare ({columns}) FROM STDIN"
        with connection.connection.cursor() as cursor, cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)
    else:
        fields = ("month", "fan_id", "artist_id", "amount", "plays", "currency")
        SupporterShare.objects.bulk_create(
            (SupporterShare(**dict(zip(fields, row, strict=True))) for row in rows),
            batch_size=BATCH,
        )


def _booked(month: date, currencies: list[str]) -> set[str]:
    return set(
        LedgerTransaction.objects.filter(
            kind=LedgerTransaction.Kind.DISTRIBUTION,
            reference__in=[reference_of(month, c) for c in currencies],
        ).values_list("reference", flat=True)
    )


def distribute_month(*, month: date | None = None) -> Distribution:
    """Share out `month`'s supporter pool (default: last month), once."""
    month = month or last_month()
    result = Distribution(month=month)
    currencies = sorted(
        SupporterMonth.objects.filter(month=month, pool__gt=0)
        .values_list("currency", flat=True)
        .distinct()
    )
    booked = _booked(month, currencies)
    todo = [c for c in currencies if reference_of(month, c) not in booked]
    if not todo:
        result.already_done = bool(currencies)
        return result
    start, end = _bounds(month)
    placeholders = ", ".join(f"%(c{i})s" for i in range(len(todo)))
    pools_sql = POOLS_SQL.format(currencies=placeholders)
    params = {
        "cap": settings.SUPPORTER_PLAY_CAP,
        "month": month,
        "start": start,
        "end": end,
        **{f"c{i}": c for i, c in enumerate(todo)},
    }
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A second run racing this one waits here, then finds the month booked. Sorting
            # millions of (fan, artist) rows wants more memory than a page view's default.
            cursor.execute("LOCK TABLE payments_supportershare IN SHARE ROW EXCLUSIVE MODE")
            cursor.execute("SET LOCAL work_mem = '256MB'")
            if _booked(month, todo):
                result.already_done = True
                return result
        cursor.execute(SHARES_SQL.format(pools=pools_sql), params)
        result.shares = cursor.rowcount
        cursor.execute(
            f"""SELECT o.fan_id, o.currency, o.pool FROM ({pools_sql}) o
            WHERE NOT EXISTS (SELECT 1 FROM payments_supportershare s WHERE s.month = %(month)s
                AND s.fan_id = o.fan_id AND s.currency = o.currency)
            ORDER BY o.fan_id, o.currency""",
            params,
        )
        idle = cursor.fetchall()
        cursor.execute(
            f"""SELECT currency, COUNT(DISTINCT fan_id) FROM ({pools_sql}) o
            GROUP BY currency""",
            params,
        )
        result.supporters = sum(count for _, count in cursor.fetchall())
        fallback = fallback_weights(month) if idle else []
        if idle and not fallback:
            log.warning("No artist to share %s's fallback money with: it stays in the pool", month)
        rows, splits = [], {}  # pool → its non-zero parts: most supporters' pools are equal
        for fan_id, currency, pool in idle if fallback else ():
            result.fallback_supporters += 1
            if pool not in splits:
                parts = allocate(pool, [weight for _, weight in fallback])
                splits[pool] = [
                    (artist_id, part)
                    for (artist_id, _), part in zip(fallback, parts, strict=True)
                    if part
                ]
            rows += [
                (month, fan_id, artist_id, part, 0, currency) for artist_id, part in splits[pool]
            ]
        _write_shares(rows)
        result.shares += len(rows)
        cursor.execute(
            f"""SELECT currency, artist_id, SUM(amount) FROM payments_supportershare
            WHERE month = %(month)s AND currency IN ({placeholders})
            GROUP BY currency, artist_id ORDER BY currency, artist_id""",
            params,
        )
        to_artists = defaultdict(dict)
        for currency, artist_id, amount in cursor.fetchall():
            to_artists[currency][artist_id] = int(amount)
        for currency, amounts in sorted(to_artists.items()):
            accounts = _artist_accounts(list(amounts), currency)
            total = sum(amounts.values())
            pool_account = ledger.get_account(
                kind=LedgerAccount.Kind.SUPPORTER_POOL, currency=currency
            )
            ledger.post_transaction(
                kind=LedgerTransaction.Kind.DISTRIBUTION,
                reference=reference_of(month, currency),
                memo=f"Supporter pool of {month:%B %Y} to {len(amounts)} artists",
                currency=currency,
                entries=[(pool_account, -total)]
                + [(accounts[pk], amount) for pk, amount in sorted(amounts.items())],
            )
            result.moved[currency] = total
    return result
