"""Paying artists out, and taking money back when a paid sale is refunded or disputed.

A payout is booked in our books first (a pending Payout row and, in the same transaction, the
artist's balance moved to payouts_in_transit), then Stripe is asked for a Transfer keyed by the
row (`payout-<id>`, also its transfer_group), then the transfer id is recorded. A worker killed
anywhere in between leaves the row pending; the hourly retry first looks the transfer up by its
transfer_group and records it if Stripe made it, and only otherwise asks again with the same key
(Stripe forgets idempotency keys after 24 hours, so the key alone does not protect a late retry).
Refunds and disputes (webhooks below) reverse the sale's booking in proportion; money already
paid out is taken back with a transfer reversal, booked and sent the same way (Clawback rows,
`clawback-<id>`, looked up among the transfer's reversals by our metadata before asking).
"""

import logging

import stripe
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, Sum

from artists.models import Artist

from . import ledger
from .booking import reinstate_payment, take_back_payment
from .models import (
    Clawback,
    ConnectedAccount,
    LedgerAccount,
    LedgerTransaction,
    Payout,
)
from .splitting import allocate
from .stripe_api import stripe_client
from .webhooks import register

log = logging.getLogger(__name__)
Kind = LedgerAccount.Kind
MAX_ERROR_LENGTH = 2000
# Stripe's answers that mean "no, and asking again will not change that": nothing was moved.
REFUSALS = (stripe.InvalidRequestError, stripe.PermissionError, stripe.CardError)


class NotBookedYet(Exception):
    """A refund or dispute of a payment whose sale is not booked yet: retried later."""


def _account(kind, currency, artist=None) -> LedgerAccount:
    return ledger.get_account(kind=kind, currency=currency, artist=artist)


def _move(*, kind, reference: str, artist: Artist, amount: int, currency: str, memo: str):
    """Book `amount` from the artist's balance to payouts_in_transit (negative: back)."""
    return ledger.post_transaction(
        kind=kind,
        reference=reference,
        memo=memo,
        currency=currency,
        entries=[
            (_account(Kind.ARTIST_BALANCE, currency, artist), -amount),
            (_account(Kind.PAYOUTS_IN_TRANSIT, currency), amount),
        ],
    )


# --- Payouts ------------------------------------------------------------------------------------


def _held(prefix: str) -> Q:
    """Artists whose money waits: suspended (their account, or the profile taken down)."""
    return Q(**{f"{prefix}is_suspended": True}) | Q(
        **{f"{prefix}user__suspended_at__isnull": False}
    )


def retry_pending(*, artist_ids: list[int] | None = None) -> list[Payout]:
    """Send again the payouts and clawbacks still pending (hourly beat, and each run)."""
    # A payout made before its artist was suspended waits, pending, until it is lifted.
    pending = Payout.objects.filter(status=Payout.Status.PENDING).exclude(_held("artist__"))
    clawbacks = Clawback.objects.filter(status=Clawback.Status.PENDING)
    if artist_ids is not None:
        pending = pending.filter(artist_id__in=artist_ids)
        clawbacks = clawbacks.filter(payout__artist_id__in=artist_ids)
    touched = [send_payout(payout_id=pk) for pk in pending.values_list("id", flat=True)]
    for pk in clawbacks.values_list("id", flat=True):
        send_clawback(clawback_id=pk)
    return [payout for payout in touched if payout is not None]


def run_payouts(*, artist_ids: list[int] | None = None) -> list[Payout]:
    """Retry what is pending, then pay every ready artist whose balance reaches the minimum.

    Balances below PAYOUT_MINIMUM stay on the books for the next run (never forfeited), and
    so do the balances of suspended artists: they are paid on the first run after the
    suspension is lifted (docs/security.md "Suspension").
    Returns the payouts made or retried in this run.
    """
    touched: list[Payout | None] = list(retry_pending(artist_ids=artist_ids))
    accounts = (
        ConnectedAccount.objects.select_related("artist")
        .exclude(stripe_account_id=None)
        .exclude(_held("artist__"))
    )
    if artist_ids is not None:
        accounts = accounts.filter(artist_id__in=artist_ids)
    for account in accounts:
        if not account.payouts_ready:
            continue  # not onboarded yet: the balance waits
        payout = create_payout(artist=account.artist, currency=settings.PAYMENTS_CURRENCY)
        if payout is not None:
            touched.append(send_payout(payout_id=payout.id))
    return [payout for payout in touched if payout is not None]


def create_payout(*, artist: Artist, currency: str) -> Payout | None:
    """A pending payout of the artist's whole balance, booked; None below the minimum."""
    with transaction.atomic():
        # Locked: two runs at once would both read the same balance and both pay it out.
        ConnectedAccount.objects.select_for_update().filter(artist=artist).first()
        if Artist.objects.filter(_held(""), id=artist.id).exists():
            return None  # suspended meanwhile: the balance waits
        amount = ledger.artist_balance(artist, currency).amount
        if amount < settings.PAYOUT_MINIMUM:
            return None
        payout = Payout.objects.create(artist=artist, amount=amount, currency=currency)
        _move(
            kind=LedgerTransaction.Kind.PAYOUT,
            reference=payout.idempotency_key,
            artist=artist,
            amount=amount,
            currency=currency,
            memo=f"Payout {payout.id} to {artist}",
        )
    return payout


def transfer_request(*, payout: Payout, destination: str) -> dict:
    """What Stripe is asked for: the same row always asks the same, under the same key."""
    return {
        "params": {
            "amount": payout.amount,
            "currency": payout.currency,
            "destination": destination,
            "transfer_group": payout.idempotency_key,
            "description": f"Backstage payout {payout.id}",
            "metadata": {"backstage_payout": str(payout.id), "artist_id": str(payout.artist_id)},
        },
        "options": {"idempotency_key": payout.idempotency_key},
    }


def _create_transfer(payout: Payout):
    destination = payout.artist.connected_account.stripe_account_id
    return stripe_client().v1.transfers.create(
        **transfer_request(payout=payout, destination=destination)
    )


def _made_transfer(payout: Payout) -> str | None:
    """The id of the transfer Stripe already made for this payout, if any: looked up by its
    transfer_group (our key), since Stripe forgets idempotency keys after 24 hours."""
    transfers = stripe_client().v1.transfers.list(
        params={"transfer_group": payout.idempotency_key, "limit": 100}
    )
    for transfer in transfers.auto_paging_iter():
        if (transfer.to_dict().get("metadata") or {}).get("backstage_payout") == str(payout.id):
            return transfer.id
    return None


def _record_sent(payout: Payout, transfer_id: str) -> None:
    Payout.objects.filter(id=payout.id, status=Payout.Status.PENDING).update(
        stripe_transfer_id=transfer_id,
        status=Payout.Status.SENT,
        error="",
        attempts=F("attempts") + 1,
    )


def send_payout(*, payout_id: int) -> Payout | None:
    """Ask Stripe for the pending payout's transfer and record it. A refusal fails the payout
    and puts the money back on the artist's balance; any other error leaves it pending."""
    payout = (
        Payout.objects.select_related("artist__connected_account")
        .filter(id=payout_id, status=Payout.Status.PENDING)
        .first()
    )
    if payout is None:
        return None  # sent, failed or reversed already
    try:
        transfer_id = _made_transfer(payout)  # a killed worker's transfer, made or not
        if transfer_id is None:
            try:
                transfer_id = _create_transfer(payout).id
            except REFUSALS as error:
                # Refused: but a worker racing this one may have made it; look before failing.
                transfer_id = _made_transfer(payout)
                if transfer_id is None:
                    fail_payout(payout=payout, error=str(error))
    except Exception as error:  # Stripe unreachable, a timeout: the next run retries
        log.warning("payout %s not sent: %r", payout.id, error)
        Payout.objects.filter(id=payout.id).update(
            attempts=F("attempts") + 1, error=repr(error)[:MAX_ERROR_LENGTH]
        )
    else:
        if transfer_id is not None:
            _record_sent(payout, transfer_id)
    payout.refresh_from_db()
    return payout


def fail_payout(*, payout: Payout, error: str) -> None:
    """Stripe refused the transfer (nothing moved): the money goes back to the balance."""
    with transaction.atomic():
        failed = Payout.objects.filter(id=payout.id, status=Payout.Status.PENDING).update(
            status=Payout.Status.FAILED,
            error=error[:MAX_ERROR_LENGTH],
            attempts=F("attempts") + 1,
        )
        if failed:
            _move(
                kind=LedgerTransaction.Kind.PAYOUT_REVERSAL,
                reference=f"{payout.idempotency_key}-failed",
                artist=payout.artist,
                amount=-payout.amount,
                currency=payout.currency,
                memo=f"Payout {payout.id} refused by Stripe",
            )


@register("transfer.reversed")
def on_transfer_reversed(event) -> None:
    book_transfer_reversals(transfer_id=event.data.object["id"])


def book_transfer_reversals(*, transfer_id: str) -> Payout | None:
    """Put money reversed on Stripe's side back on the artist's balance, once per reversal.
    Reversals we asked for ourselves (clawbacks) were booked when we asked."""
    transfer = stripe_client().v1.transfers.retrieve(transfer_id).to_dict()
    payout_id = (transfer.get("metadata") or {}).get("backstage_payout", "")
    with transaction.atomic():
        payout = (
            Payout.objects.select_for_update()
            .select_related("artist")
            .filter(id=int(payout_id) if payout_id.isdigit() else None)
            .first()
        )
        if payout is None or payout.amount != transfer["amount"]:
            log.info("transfer.reversed for %s, which is not one of our payouts", transfer_id)
            return None
        if payout.status == Payout.Status.PENDING:  # the worker died before recording it
            _record_sent(payout, transfer["id"])
        outside = 0
        for reversal in (transfer.get("reversals") or {}).get("data", []):
            if (reversal.get("metadata") or {}).get("backstage_clawback"):
                continue
            outside += reversal["amount"]
            _move(
                kind=LedgerTransaction.Kind.PAYOUT_REVERSAL,
                reference=reversal["id"],
                artist=payout.artist,
                amount=-reversal["amount"],
                currency=payout.currency,
                memo=f"Transfer {transfer_id} of payout {payout.id} reversed",
            )
        changes = {"amount_reversed": outside}
        if transfer.get("reversed"):
            changes["status"] = Payout.Status.REVERSED
        Payout.objects.filter(id=payout.id).update(**changes)
        payout.refresh_from_db()
    return payout


# --- Refunds and disputes -----------------------------------------------------------------------


def _original(charge: dict) -> LedgerTransaction | None:
    """The sale, tip or supporter payment booked for the charge; NotBookedYet if ours but not
    booked yet."""
    intent = charge.get("payment_intent") or ""
    booked = LedgerTransaction.objects.filter(
        kind__in=[LedgerTransaction.Kind.SALE, LedgerTransaction.Kind.TIP], reference=intent
    ).first()
    if booked is None and (charge.get("metadata") or {}).get("backstage_payment"):
        raise NotBookedYet(f"{charge['id']} is refunded before its sale is booked")
    if booked is None and intent:
        booked = _supporter_payment(intent)
    return booked


def _supporter_payment(intent_id: str) -> LedgerTransaction | None:
    """The supporter payment booked for the invoice this payment intent paid, if any."""
    from .supporter_models import SupporterMonth

    paid = stripe_client().v1.invoice_payments.list(
        params={"payment": {"type": "payment_intent", "payment_intent": intent_id}}
    )
    invoices = [payment.invoice for payment in paid.data]
    if not invoices:
        return None
    booked = LedgerTransaction.objects.filter(
        kind=LedgerTransaction.Kind.SUPPORTER_PAYMENT, reference__in=invoices
    ).first()
    if booked is None and SupporterMonth.objects.filter(invoice_id__in=invoices).exists():
        raise NotBookedYet(f"{intent_id}'s invoice is refunded before it is booked")
    return booked


def _merged(lines: list) -> list:
    """Lines with one entry per account (amounts added), in first-seen order."""
    merged: dict[int, list] = {}
    for account, amount in lines:
        if account.id in merged:
            merged[account.id][1] += amount
        else:
            merged[account.id] = [account, amount]
    return [(account, amount) for account, amount in merged.values()]


def _taken_back(original: LedgerTransaction, before: int, after: int, instead=None) -> list:
    """The lines that take back the part of `original` between `before` and `after` minor
    units of its charge: each account gives back its share of the cumulative amount, so the
    partial refunds of a charge add up to exactly its booking.

    Stripe keeps its processing fee when a charge is refunded or disputed, so processor_fees
    gives nothing back: the platform bears that share of the fee (platform_revenue gives it),
    and the artist gives back exactly what the sale gave them (docs/payments.md)."""
    rows = list(original.entries.select_related("account__artist").order_by("id"))
    paid = [row for row in rows if row.amount > 0]
    weights = [row.amount for row in paid]
    now_parts, then_parts = allocate(after, weights), allocate(before, weights)
    currency = rows[0].currency
    lines = []
    # Accounts that give nothing back, and who gives in their place: the fee, and (`instead`)
    # a supporter pool already distributed.
    instead = {Kind.PROCESSOR_FEES: Kind.PLATFORM_REVENUE, **(instead or {})}
    for row, now, then in zip(paid, now_parts, then_parts, strict=True):
        account = row.account
        if account.kind in instead:
            account = _account(instead[account.kind], currency)
        lines.append((account, -(now - then)))
    lines += [(row.account, after - before) for row in rows if row.amount < 0]
    return _merged(lines)


def _book_taking_back(
    *, kind, reference, original, before, after, extra=(), memo, instead=None
) -> list:
    rows = list(original.entries.all())
    currency = rows[0].currency
    charged = -sum(row.amount for row in rows if row.amount < 0)
    lines = _taken_back(original, before, after, instead)
    ledger.post_transaction(
        kind=kind,
        reference=reference,
        memo=memo,
        currency=currency,
        entries=_merged([*lines, *extra]),
    )
    if kind == LedgerTransaction.Kind.DISPUTE or after >= charged:
        take_back_payment(
            payment_intent_id=original.reference, disputed=kind == LedgerTransaction.Kind.DISPUTE
        )
    for account, amount in lines:
        if account.kind == Kind.ARTIST_BALANCE and amount < 0:
            _claw_back(artist=account.artist, currency=currency, share=-amount, source=reference)
    return lines


def _claw_back(*, artist: Artist, currency: str, share: int, source: str) -> None:
    """If the artist's balance is below zero after giving back `share`, that money was paid
    out already: take it back from their latest sent payouts (booked now, sent after commit)."""
    owed = min(share, -ledger.artist_balance(artist, currency).amount)
    if owed <= 0:
        return  # the balance still covers it: nothing paid out needs taking back
    sent = Payout.objects.filter(artist=artist, currency=currency, status=Payout.Status.SENT)
    # Locked: two refunds of this artist at once must not take back the same money twice.
    list(sent.select_for_update().values_list("id", flat=True))
    payouts = sent.annotate(clawed=Sum("clawbacks__amount")).order_by("-created_at", "-id")
    for payout in payouts:
        if owed <= 0:
            break
        amount = min(owed, payout.amount - payout.amount_reversed - (payout.clawed or 0))
        if amount <= 0:
            continue
        clawback, created = Clawback.objects.get_or_create(
            source=source, payout=payout, defaults={"amount": amount}
        )
        if created:
            _move(
                kind=LedgerTransaction.Kind.PAYOUT_REVERSAL,
                reference=f"clawback-{source}-{payout.id}",
                artist=artist,
                amount=-amount,
                currency=currency,
                memo=f"Taken back from payout {payout.id} for {source}",
            )
            transaction.on_commit(lambda pk=clawback.id: _send_later(pk))
        owed -= clawback.amount


def _send_later(clawback_id: int) -> None:
    from .tasks import send_clawback as task

    task.delay(clawback_id)


def _create_reversal(clawback: Clawback):
    return stripe_client().v1.transfers.reversals.create(
        clawback.payout.stripe_transfer_id,
        params={"amount": clawback.amount, "metadata": {"backstage_clawback": str(clawback.id)}},
        options={"idempotency_key": clawback.idempotency_key},
    )


def _made_reversal(clawback: Clawback) -> str | None:
    """The reversal Stripe already made for this clawback (our metadata on it), if any: a
    retry after Stripe forgot the idempotency key (24 hours) must not reverse twice."""
    reversals = stripe_client().v1.transfers.reversals.list(
        clawback.payout.stripe_transfer_id, params={"limit": 100}
    )
    for reversal in reversals.auto_paging_iter():
        if (reversal.to_dict().get("metadata") or {}).get("backstage_clawback") == str(clawback.id):
            return reversal.id
    return None


def send_clawback(*, clawback_id: int) -> Clawback | None:
    """Ask Stripe for the pending clawback's transfer reversal and record it; a failure
    leaves it pending for the next run_payouts."""
    clawback = (
        Clawback.objects.select_related("payout")
        .filter(id=clawback_id, status=Clawback.Status.PENDING)
        .first()
    )
    if clawback is None:
        return None
    try:
        reversal_id = _made_reversal(clawback) or _create_reversal(clawback).id
    except Exception as error:
        log.warning("clawback %s not sent: %r", clawback.id, error)
        Clawback.objects.filter(id=clawback.id).update(
            attempts=F("attempts") + 1, error=repr(error)[:MAX_ERROR_LENGTH]
        )
    else:
        Clawback.objects.filter(id=clawback.id, status=Clawback.Status.PENDING).update(
            stripe_reversal_id=reversal_id, status=Clawback.Status.SENT, error=""
        )
    clawback.refresh_from_db()
    return clawback


@register("charge.refunded")
def on_charge_refunded(event) -> None:
    book_refunds(charge_id=event.data.object["id"])


def _supporter_month(original: LedgerTransaction):
    """For a supporter payment: its SupporterMonth row, with no distribution running (the
    month's distribution takes the same lock, so the pool it reads cannot shrink under it)."""
    if original.kind != LedgerTransaction.Kind.SUPPORTER_PAYMENT:
        return None
    from django.db import connection

    from .supporter_models import SupporterMonth

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("LOCK TABLE payments_supporterallocation IN SHARE ROW EXCLUSIVE MODE")
    return SupporterMonth.objects.select_for_update().filter(invoice_id=original.reference).first()


def _pool_spent(month) -> dict | None:
    """A refund of supporter money already distributed: the artists keep what the fan's plays
    earned them, and the platform gives back the pool's part (docs/payments.md)."""
    if month is not None and month.run is not None:
        return {Kind.SUPPORTER_POOL: Kind.PLATFORM_REVENUE}
    return None


def book_refunds(*, charge_id: str) -> None:
    """Book every succeeded refund of the charge not booked yet (each once, by its id).

    Each takes back its slice of the charge after the refunds booked before it, whatever
    order they were booked in: the refunds of a charge add up to exactly its booking.
    """
    charge = stripe_client().v1.charges.retrieve(charge_id).to_dict()
    original = _original(charge)
    if original is None:
        return
    # A charge carries no `refunds` since API version 2022-11-15 (unless expanded): list them.
    listed = stripe_client().v1.refunds.list(params={"charge": charge_id, "limit": 100})
    refunds = [r.to_dict() for r in listed.auto_paging_iter() if r.status == "succeeded"]
    refunds.sort(key=lambda r: (r["created"], r["id"]))
    with transaction.atomic():
        # Locked: two deliveries at once would both count the same refunds as not booked.
        LedgerTransaction.objects.select_for_update().filter(id=original.id).first()
        booked = set(
            LedgerTransaction.objects.filter(
                kind=LedgerTransaction.Kind.REFUND, reference__in=[r["id"] for r in refunds]
            ).values_list("reference", flat=True)
        )
        refunded = sum(r["amount"] for r in refunds if r["id"] in booked)
        month = _supporter_month(original)
        for refund in refunds:
            if refund["id"] in booked:
                continue
            lines = _book_taking_back(
                kind=LedgerTransaction.Kind.REFUND,
                reference=refund["id"],
                original=original,
                before=refunded,
                after=refunded + refund["amount"],
                memo=f"Refund of {charge['id']}",
                instead=_pool_spent(month),
            )
            refunded += refund["amount"]
            if month is not None and month.run is None:
                from .supporter_models import SupporterMonth

                given = -sum(a for acc, a in lines if acc.kind == Kind.SUPPORTER_POOL)
                SupporterMonth.objects.filter(id=month.id).update(pool=F("pool") - given)


@register("charge.dispute.created")
def on_dispute_created(event) -> None:
    book_dispute(dispute_id=event.data.object["id"])


def book_dispute(*, dispute_id: str) -> None:
    """A dispute takes back the disputed amount as a refund would; its fee is the platform's."""
    client = stripe_client()
    dispute = client.v1.disputes.retrieve(dispute_id).to_dict()
    charge = client.v1.charges.retrieve(dispute["charge"]).to_dict()
    original = _original(charge)
    if original is None:
        return
    currency = dispute["currency"]
    fee = sum(txn.get("fee", 0) for txn in dispute.get("balance_transactions") or [])
    extra = []
    if fee:
        extra = [
            (_account(Kind.PROCESSOR_FEES, currency), fee),
            (_account(Kind.PLATFORM_REVENUE, currency), -fee),
        ]
    before = charge.get("amount_refunded", 0)
    with transaction.atomic():
        _book_taking_back(
            kind=LedgerTransaction.Kind.DISPUTE,
            reference=dispute["id"],
            original=original,
            before=before,
            after=min(charge["amount"], before + dispute["amount"]),
            extra=extra,
            memo=f"Dispute of {charge['id']}",
        )


@register("charge.dispute.closed")
def on_dispute_closed(event) -> None:
    book_dispute_won(dispute_id=event.data.object["id"])


def book_dispute_won(*, dispute_id: str) -> LedgerTransaction | None:
    """A dispute won: the money Stripe reinstated goes back where the dispute took it from
    (the artist's balance, the platform's cut), once, as reference `<dispute id>-won`.

    The dispute fee stays Stripe's unless its balance transactions say it was returned: the
    books' processor_fees end at exactly the fees of the dispute's balance transactions."""
    dispute = stripe_client().v1.disputes.retrieve(dispute_id).to_dict()
    if dispute.get("status") != "won":
        return None  # lost (already booked when it opened) or still open
    with transaction.atomic():
        booked = (
            LedgerTransaction.objects.select_for_update()
            .filter(kind=LedgerTransaction.Kind.DISPUTE, reference=dispute["id"])
            .first()
        )
        if booked is None:
            if _original(stripe_client().v1.charges.retrieve(dispute["charge"]).to_dict()):
                raise NotBookedYet(f"{dispute['id']} is closed before its opening is booked")
            return None  # not a payment of ours
        entries = list(booked.entries.select_related("account"))
        currency = entries[0].currency
        withdrawn_fee = sum(
            e.amount for e in entries if e.account.kind == Kind.PROCESSOR_FEES and e.amount > 0
        )
        kept_fee = sum(txn.get("fee", 0) for txn in dispute.get("balance_transactions") or [])
        returned = withdrawn_fee - kept_fee
        lines = [(entry.account, -entry.amount) for entry in entries]
        # What the reversal above gives back of the dispute fee beyond what Stripe returned.
        lines += [
            (_account(Kind.PROCESSOR_FEES, currency), withdrawn_fee - returned),
            (_account(Kind.PLATFORM_REVENUE, currency), returned - withdrawn_fee),
        ]
        reinstate_payment(payment_intent_id=dispute.get("payment_intent") or "")
        return ledger.post_transaction(
            kind=LedgerTransaction.Kind.DISPUTE,
            reference=f"{dispute['id']}-won",
            memo=f"Dispute of {dispute['charge']} won: the money is reinstated",
            currency=currency,
            entries=_merged(lines),
        )
