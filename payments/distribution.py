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


PLAYS_SQL = """
    SELECT s.fan_id, p.artist_id, LEAST(COUNT(*), %(cap)s)
    FROM analytics_playevent p
    JOIN (SELECT DISTINCT fan_id, 'u:' || fan_id AS listener_key
          FROM payments_supportermonth WHERE month = %(month)s) s
      ON p.listener_key = s.listener_key
    JOIN artists_artist a ON a.id = p.artist_id
    WHERE p.counted AND NOT p.flagged
      AND p.started_at >= %(start)s AND p.started_at < %(end)s
    GROUP BY s.fan_id, p.artist_id
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


def distribute_month(*, month: date | None = None) -> Distribution:
    """Share out `month`'s supporter pool (default: last month), once."""
    month = month or last_month()
    result = Distribution(month=month)
    pools = defaultdict(int)  # (fan id, currency) → pool
    for fan_id, currency, pool in SupporterMonth.objects.filter(month=month).values_list(
        "fan_id", "currency", "pool"
    ):
        pools[(fan_id, currency)] += pool
    currencies = sorted({currency for _, currency in pools})
    booked = set(
        LedgerTransaction.objects.filter(
            kind=LedgerTransaction.Kind.DISTRIBUTION,
            reference__in=[reference_of(month, c) for c in currencies],
        ).values_list("reference", flat=True)
    )
    if currencies and len(booked) == len(currencies):
        result.already_done = True
        return result
    start, end = _bounds(month)
    plays = defaultdict(list)  # fan id → [(artist id, capped plays)], artist ids ascending
    with connection.cursor() as cursor:
        cursor.execute(
            PLAYS_SQL + " ORDER BY s.fan_id, p.artist_id",
            {"cap": settings.SUPPORTER_PLAY_CAP, "month": month, "start": start, "end": end},
        )
        for fan_id, artist_id, count in cursor:
            plays[fan_id].append((artist_id, count))
    fallback = None
    shares, to_artists = [], defaultdict(lambda: defaultdict(int))
    for (fan_id, currency), pool in sorted(pools.items()):
        if reference_of(month, currency) in booked or pool <= 0:
            continue
        weights = plays.get(fan_id)
        if not weights:
            if fallback is None:
                fallback = fallback_weights(month)
            weights = [(artist_id, 0) for artist_id, _ in fallback]
            parts = allocate(pool, [w for _, w in fallback]) if fallback else []
            result.fallback_supporters += 1
        else:
            parts = allocate(pool, [count for _, count in weights])
        result.supporters += 1
        for (artist_id, count), part in zip(weights, parts, strict=True):
            if part:
                shares.append(
                    SupporterShare(
                        month=month,
                        fan_id=fan_id,
                        artist_id=artist_id,
                        amount=part,
                        plays=count,
                        currency=currency,
                    )
                )
                to_artists[currency][artist_id] += part
    with transaction.atomic():
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
        SupporterShare.objects.bulk_create(shares, batch_size=BATCH)
    result.shares = len(shares)
    if result.fallback_supporters and fallback == []:
        log.warning("No artist to share %s's fallback money with: it stays in the pool", month)
    return result
