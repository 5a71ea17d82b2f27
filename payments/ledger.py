"""Booking money: the only writer of ledger transactions and entries, and the ledger's sums.

Amounts are signed from each account's point of view: what the account received (negative: what
it gave). A fan's €10.00 sale with a 15 % cut and a 2.9 % + 30 fee books customer_payments
-1000, processor_fees +59, platform_revenue +150 and the artist's balance +791: every
transaction sums to zero, so the whole ledger does too.
"""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q, Sum

from artists.models import Artist

from .models import LedgerAccount, LedgerEntry, LedgerTransaction
from .money import Money, format_amount, get_currency

Line = tuple[LedgerAccount, int]


def get_account(
    *, kind: LedgerAccount.Kind | str, currency: str, artist: Artist | None = None
) -> LedgerAccount:
    """The account of `kind` (an artist's, for artist_balance) in `currency`, created if new."""
    get_currency(currency)
    if (kind == LedgerAccount.Kind.ARTIST_BALANCE) != (artist is not None):
        raise ValueError("An artist balance needs its artist; no other account has one.")
    # get_or_create retries the read after an IntegrityError, so two workers opening the same
    # account at once both get the one row the unique constraints let in.
    account, _ = LedgerAccount.objects.get_or_create(kind=kind, currency=currency, artist=artist)
    return account


def _checked_lines(entries: Sequence[Line], currency: str) -> list[Line]:
    try:
        get_currency(currency)
    except ValueError as exc:
        raise ValidationError(str(exc), code="currency") from exc
    lines = []
    for account, amount in entries:
        if type(amount) is not int:
            raise ValidationError(
                f"Entry amounts are whole minor units, not {amount!r}.", code="amount"
            )
        if account.currency != currency:
            raise ValidationError(
                f"{account} is in {account.currency}; this transaction is in {currency}: "
                "one transaction books one currency.",
                code="mixed_currencies",
            )
        if amount:  # zero lines (a 0-cent share of a 1-cent split) carry nothing
            lines.append((account, amount))
    if not lines:
        raise ValidationError("A transaction needs at least one non-zero entry.", code="empty")
    total = sum(amount for _, amount in lines)
    if total:
        raise ValidationError(
            f"Entries must sum to zero; these sum to {Money(total, currency)}.", code="unbalanced"
        )
    return lines


def _booked(kind: str, reference: str) -> LedgerTransaction | None:
    return LedgerTransaction.objects.filter(kind=kind, reference=reference).first()


def _same_entries(booked: LedgerTransaction, lines: list[Line], currency: str) -> bool:
    have = Counter(booked.entries.values_list("account_id", "amount", "currency"))
    return have == Counter((account.pk, amount, currency) for account, amount in lines)


def post_transaction(
    *,
    kind: LedgerTransaction.Kind | str,
    reference: str,
    memo: str = "",
    entries: Sequence[Line],
    currency: str,
) -> LedgerTransaction:
    """Book `entries` as one transaction, once per (kind, reference).

    Posting the same reference again returns the transaction already booked, unchanged (a
    retried webhook or task books nothing new); with different entries it is refused. Raises
    ValidationError for unbalanced, empty or mixed-currency entries; nothing is written then.
    A memo longer than 500 characters is cut (it is a note, never a reason to refuse money).
    """
    if kind not in LedgerTransaction.Kind.values:
        raise ValidationError(f"Unknown transaction kind {kind!r}.", code="kind")
    if not reference or len(reference) > 255:
        raise ValidationError("A transaction needs a reference of 1 to 255 characters.")
    lines = _checked_lines(entries, currency)
    with transaction.atomic():
        booked = _booked(kind, reference)
        if booked is None:
            try:
                # A savepoint: two workers booking the same reference at once both pass the
                # read above; the unique constraint lets one in and the other reads its row.
                with transaction.atomic():
                    booked = LedgerTransaction.objects.create(
                        kind=kind, reference=reference, memo=memo[:500]
                    )
                    LedgerEntry.objects.bulk_create(
                        LedgerEntry(
                            transaction=booked, account=account, amount=amount, currency=currency
                        )
                        for account, amount in lines
                    )
                    return booked
            except IntegrityError:
                booked = LedgerTransaction.objects.get(kind=kind, reference=reference)
        if not _same_entries(booked, lines, currency):
            raise ValidationError(
                f"{booked} is already booked with other entries; book a correction instead.",
                code="conflict",
            )
        return booked


def reverse_transaction(
    *,
    original: LedgerTransaction,
    kind: LedgerTransaction.Kind | str,
    reference: str,
    memo: str = "",
) -> LedgerTransaction:
    """Book the exact opposite of `original` (a full refund, a lost dispute, a correction)."""
    rows = list(original.entries.select_related("account"))
    return post_transaction(
        kind=kind,
        reference=reference,
        memo=memo,
        entries=[(row.account, -row.amount) for row in rows],
        currency=rows[0].currency,
    )


def balance(account: LedgerAccount) -> Money:
    total = account.entries.aggregate(total=Sum("amount"))["total"] or 0
    return Money(total, account.currency)


def artist_balance(artist: Artist, currency: str) -> Money:
    """What the platform owes `artist` in `currency` (zero before their first booking)."""
    total = LedgerEntry.objects.filter(
        account__kind=LedgerAccount.Kind.ARTIST_BALANCE, account__artist=artist, currency=currency
    ).aggregate(total=Sum("amount"))["total"]
    return Money(total or 0, currency)


def ledger_totals() -> dict[str, int]:
    """The sum of every entry, per currency: all zeros when the books balance."""
    rows = LedgerEntry.objects.order_by().values("currency").annotate(total=Sum("amount"))
    return {row["currency"]: row["total"] for row in rows}


@dataclass
class CurrencyFigures:
    transactions: int
    entries: int
    volume: int  # the sum of the positive amounts: how much money moved
    total: int  # zero when the books balance


@dataclass
class Audit:
    figures: dict[str, CurrencyFigures]
    problems: list[str]


def audit_ledger() -> Audit:
    """Check every transaction and the whole ledger sum to zero per currency, and that each
    entry is in its account's currency. Four aggregate queries, whatever the ledger's size."""
    entries = LedgerEntry.objects.order_by()
    figures = {
        row["currency"]: CurrencyFigures(
            transactions=row["transactions"],
            entries=row["entries"],
            volume=row["volume"] or 0,
            total=row["total"],
        )
        for row in entries.values("currency").annotate(
            transactions=Count("transaction", distinct=True),
            entries=Count("id"),
            volume=Sum("amount", filter=Q(amount__gt=0)),
            total=Sum("amount"),
        )
    }
    problems = [
        f"The ledger sums to {format_amount(figure.total, currency)} in {currency}, not zero."
        for currency, figure in sorted(figures.items())
        if figure.total
    ]
    unbalanced = (
        entries.values("transaction_id", "transaction__kind", "transaction__reference", "currency")
        .annotate(total=Sum("amount"))
        .exclude(total=0)
        .order_by("transaction_id")
    )
    problems += [
        f"Transaction {row['transaction_id']} ({row['transaction__kind']} "
        f"{row['transaction__reference']}) sums to {format_amount(row['total'], row['currency'])}."
        for row in unbalanced
    ]
    astray = entries.exclude(currency=F("account__currency")).values_list(
        "id", "currency", "account__currency"
    )
    problems += [
        f"Entry {pk} is in {currency} but its account is in {account_currency}."
        for pk, currency, account_currency in astray
    ]
    empty = LedgerTransaction.objects.filter(entries__isnull=True).values_list("id", flat=True)
    problems += [f"Transaction {pk} has no entries." for pk in empty]
    return Audit(figures=figures, problems=problems)
