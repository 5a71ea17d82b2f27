"""An artist's earnings, read from their ledger accounts only: totals, lines and monthly
statements. Each query is one SQL statement whatever the number of lines (no N+1)."""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Exists, F, Max, Min, OuterRef, Q, Subquery, Sum
from django.utils import timezone

from artists.models import Artist

from .checkout_models import Payment
from .models import (
    ConnectedAccount,
    LedgerAccount,
    LedgerEntry,
    LedgerTransaction,
    Payout,
    SupporterMonth,
)

TxKind = LedgerTransaction.Kind
PAYOUT_KINDS = [TxKind.PAYOUT, TxKind.PAYOUT_REVERSAL]
# How each transaction kind reads on the page (a sale of someone else's work is a split).
LABELS = {
    TxKind.SALE: "Sale",
    TxKind.TIP: "Tip",
    TxKind.SPLIT: "Split",
    TxKind.SUPPORTER_SHARE: "Supporter share",
    TxKind.DISTRIBUTION: "Supporter share",  # the artist's part of a month's supporter pool
    TxKind.PAYOUT: "Payout",
    TxKind.PAYOUT_REVERSAL: "Payout reversed",
    TxKind.REFUND: "Refund",
    TxKind.DISPUTE: "Dispute",
    TxKind.FEE: "Fee",
    TxKind.CORRECTION: "Correction",
}
PAGE_LINES = 100


@dataclass
class Totals:
    currency: str
    balance: int  # booked to the artist and not in a payout yet
    paid_out: int  # transfers Stripe made to their account, less what came back
    earned: int  # everything booked to them except payouts
    first: datetime.datetime  # when their first and last lines were booked
    last: datetime.datetime
    in_transit: int = 0  # in payouts created but not yet accepted by Stripe (Payout pending)
    pending: int = 0  # the part of the balance the next payout will not take (see `why`)
    why: str = ""  # why `pending` waits: "minimum", "setup" or "currency"


@dataclass
class Line:
    when: datetime.datetime
    kind: str
    memo: str
    reference: str
    currency: str
    amount: int  # the artist's own part
    gross: int | None  # what the fan paid (sales and tips)
    fee: int | None
    cut: int | None
    transfer: str = ""  # a payout's Stripe transfer (tr_…), once Stripe made it
    payout_status: str = ""  # a payout's status: pending, sent, failed, reversed
    message: str = ""  # a tip's note from the fan (plain text: escaped where shown)

    @property
    def label(self) -> str:
        return LABELS.get(self.kind, self.kind)


@dataclass
class Statement:
    month: datetime.date
    lines: list[Line]
    opening: dict[str, int]
    totals: dict[str, dict[str, int]] = field(default_factory=dict)  # currency → label → sum

    @property
    def closing(self) -> dict[str, int]:
        currencies = set(self.opening) | set(self.totals)
        return {
            c: self.opening.get(c, 0) + sum(self.totals.get(c, {}).values())
            for c in sorted(currencies)
        }

    @property
    def sections(self) -> list[tuple[str, int, list[tuple[str, int]], int]]:
        """Per currency: (currency, opening, [(kind label, sum)], closing), for the template."""
        return [
            (c, self.opening.get(c, 0), sorted(self.totals.get(c, {}).items()), closing)
            for c, closing in self.closing.items()
        ]


def _entries(artist: Artist):
    return LedgerEntry.objects.filter(
        account__kind=LedgerAccount.Kind.ARTIST_BALANCE, account__artist=artist
    ).order_by()


def totals(*, artist: Artist) -> list[Totals]:
    """Per currency: balance, pending, in transit, paid out, earned. Three queries.

    The ledger moves a payout off the balance when the Payout row is created, before Stripe is
    asked; until Stripe's transfer is recorded the payout is in transit, then paid out.
    """
    paid = Q(transaction__kind__in=PAYOUT_KINDS)
    rows = (
        _entries(artist)
        .values("currency")
        .annotate(
            balance=Sum("amount"),
            paid=Sum("amount", filter=paid, default=0),
            earned=Sum("amount", filter=~paid, default=0),
            first=Min("transaction__created_at"),
            last=Max("transaction__created_at"),
        )
        .order_by("currency")
    )
    result = [
        Totals(r["currency"], r["balance"], -r["paid"], r["earned"], r["first"], r["last"])
        for r in rows
    ]
    if not result:
        return result
    in_transit = dict(
        Payout.objects.filter(artist=artist, status=Payout.Status.PENDING)
        .values("currency")
        .annotate(total=Sum("amount"))
        .values_list("currency", "total")
        .order_by()
    )
    account = ConnectedAccount.objects.filter(artist=artist).first()
    for total in result:
        total.in_transit = in_transit.get(total.currency, 0)
        total.paid_out -= total.in_transit  # the ledger counts both as gone from the balance
        total.pending, total.why = _waiting(total.balance, total.currency, account)
    return result


def _waiting(balance: int, currency: str, account: ConnectedAccount | None) -> tuple[int, str]:
    """How much of `balance` the next payout leaves behind, and why (payouts.run_payouts's
    rules: payouts enabled, PAYMENTS_CURRENCY only, at least PAYOUT_MINIMUM)."""
    if balance <= 0:
        return 0, ""
    if currency != settings.PAYMENTS_CURRENCY:
        return balance, "currency"
    if account is None or not account.payouts_ready:
        return balance, "setup"
    if balance < settings.PAYOUT_MINIMUM:
        return balance, "minimum"
    return 0, ""


def _other(kind: str, sign: int = 1):
    """The sum of the entries on the `kind` account in the same transaction."""
    return Subquery(
        LedgerEntry.objects.filter(transaction=OuterRef("transaction"), account__kind=kind)
        .order_by()
        .values("transaction")
        .annotate(total=Sum("amount") * sign)
        .values("total")[:1]
    )


def lines(*, artist: Artist, start=None, end=None, limit: int | None = None) -> list[Line]:
    """The artist's ledger lines, newest first (between `start` and `end`), with each sale's
    or tip's gross, fee and platform cut. One query."""
    rows = _entries(artist)
    if start is not None:
        rows = rows.filter(transaction__created_at__gte=start)
    if end is not None:
        rows = rows.filter(transaction__created_at__lt=end)
    newest = rows.order_by("-transaction__created_at", "-id")
    if limit is not None:
        # Pick the lines first, then look up their sales: else the database works out the
        # gross, fee and cut of every line the artist ever had before keeping `limit` of them.
        rows = LedgerEntry.objects.filter(id__in=newest.values("id")[:limit])
    rows = rows.annotate(
        own=Exists(
            Payment.objects.filter(
                payment_intent_id=OuterRef("transaction__reference"), artist=artist
            )
        ),
        gross=_other(LedgerAccount.Kind.CUSTOMER_PAYMENTS, -1),
        fee=_other(LedgerAccount.Kind.PROCESSOR_FEES),
        cut=_other(LedgerAccount.Kind.PLATFORM_REVENUE),
        message=Subquery(
            Payment.objects.filter(
                payment_intent_id=OuterRef("transaction__reference"),
                artist=artist,
                kind=Payment.Kind.TIP,
            ).values("message")[:1]
        ),
    )
    rows = rows.order_by("-transaction__created_at", "-id").values_list(
        "transaction__created_at",
        "transaction__kind",
        "transaction__memo",
        "transaction__reference",
        "currency",
        "amount",
        "own",
        "gross",
        "fee",
        "cut",
        "message",
    )
    result = []
    for when, kind, memo, reference, currency, amount, own, gross, fee, cut, message in rows:
        if kind in (TxKind.SALE, TxKind.TIP) and not own:
            kind = TxKind.SPLIT  # a share of another artist's sale
        line = Line(when, kind, memo, reference, currency, amount, gross, fee, cut)
        line.message = message or ""
        result.append(line)
    _add_transfers(result)
    _add_supporter_costs(result)
    return result


def _add_supporter_costs(lines: list[Line]) -> None:
    """Each supporter share's gross, fee and cut: the month's supporter payments paid Stripe's
    fees and the platform's cut before the pool was shared, so an artist's share carries them
    in proportion (share / pool), rounded to the cent, gross = share + fee + cut. One query,
    only when there are supporter lines."""
    months = {line.reference: line for line in lines if line.kind == TxKind.DISTRIBUTION}
    if not months:
        return
    wanted = {_month_of(reference) for reference in months} - {None}
    bp = settings.SUPPORTER_CUT_BASIS_POINTS
    rows = (
        SupporterMonth.objects.filter(month__in=wanted)
        .values("month", "currency")
        .annotate(gross=Sum("amount"), pool=Sum("pool"), cut=Sum(F("amount") * bp / 10_000))
        .order_by()
    )
    paid = {(row["month"], row["currency"]): row for row in rows}
    for line in lines:
        row = paid.get((_month_of(line.reference), line.currency))
        if line.kind != TxKind.DISTRIBUTION or not row or not row["pool"]:
            continue
        fees = row["gross"] - row["pool"] - row["cut"]
        line.cut = round(row["cut"] * line.amount / row["pool"])
        line.fee = round(fees * line.amount / row["pool"])
        line.gross = line.amount + line.fee + line.cut


def _month_of(reference: str) -> datetime.date | None:
    """The month a distribution's reference (distribution-2026-11[-usd]) names."""
    parts = reference.removeprefix("distribution-").split("-")
    if len(parts) < 2 or not (parts[0].isdigit() and parts[1].isdigit()):
        return None
    return datetime.date(int(parts[0]), int(parts[1]), 1)


def _add_transfers(lines: list[Line]) -> None:
    """Each payout line's Stripe transfer and status (payouts book `payout-<id>`): one query,
    only when there are payout lines."""
    ids = {
        int(line.reference.removeprefix("payout-"))
        for line in lines
        if line.kind == TxKind.PAYOUT and line.reference.removeprefix("payout-").isdigit()
    }
    if not ids:
        return
    payouts = {
        f"payout-{pk}": (transfer or "", status)
        for pk, transfer, status in Payout.objects.filter(id__in=ids).values_list(
            "id", "stripe_transfer_id", "status"
        )
    }
    for line in lines:
        if line.kind == TxKind.PAYOUT and line.reference in payouts:
            line.transfer, line.payout_status = payouts[line.reference]


def months(totals: list[Totals]) -> list[datetime.date]:
    """Every month from the artist's first line to their last, newest first: one statement
    each. Read off `totals` (no query: telling which months have lines costs another scan)."""
    if not totals:
        return []
    first = min(t.first for t in totals).astimezone(timezone.get_current_timezone())
    last = max(t.last for t in totals).astimezone(timezone.get_current_timezone())
    shown, year, month = [], last.year, last.month
    while (year, month) >= (first.year, first.month):
        shown.append(datetime.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return shown


def month_bounds(year: int, month: int) -> tuple[datetime.datetime, datetime.datetime]:
    """The month's first instant and the next month's, in the site's time zone."""
    zone = timezone.get_current_timezone()
    start = datetime.datetime(year, month, 1, tzinfo=zone)
    end = datetime.datetime(year + month // 12, month % 12 + 1, 1, tzinfo=zone)
    return start, end


def statement(*, artist: Artist, year: int, month: int) -> Statement:
    """The month's lines, its opening balance and its totals per kind, per currency. Two queries."""
    start, end = month_bounds(year, month)
    opening = {
        r["currency"]: r["total"]
        for r in _entries(artist)
        .filter(transaction__created_at__lt=start)
        .values("currency")
        .annotate(total=Sum("amount"))
    }
    result = Statement(
        month=start.date(), lines=lines(artist=artist, start=start, end=end), opening=opening
    )
    for line in result.lines:
        by_label = result.totals.setdefault(line.currency, {})
        by_label[line.label] = by_label.get(line.label, 0) + line.amount
    return result
