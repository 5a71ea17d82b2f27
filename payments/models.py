"""The double-entry ledger: accounts, transactions and their entries, in integer minor units.

Append-only: a booked transaction and its entries are never changed or deleted (the guards
below, and on PostgreSQL a trigger from migration 0001); a mistake is corrected by a new
transaction. Entries are written only by payments.ledger.post_transaction.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from artists.models import Artist

# Buying and tipping live in their own module; imported here so they are this app's models.
from .checkout_models import Payment, PriceTag, Purchase  # noqa: F401
from .payout_models import Clawback, Payout  # noqa: F401
from .split_models import Split  # noqa: F401
from .supporter_models import Subscription, SupporterAllocation, SupporterMonth  # noqa: F401


class AppendOnlyError(Exception):
    """Someone tried to change or delete a booked ledger row."""


class AppendOnlyQuerySet(models.QuerySet):
    def _refuse(self, *args, **kwargs):
        raise AppendOnlyError(f"{self.model.__name__} rows are never changed: book a correction.")

    update = delete = bulk_update = update_or_create = _refuse

    def bulk_create(self, objs, *args, update_conflicts=False, **kwargs):
        if update_conflicts:  # an upsert would rewrite booked rows
            self._refuse()
        return super().bulk_create(objs, *args, **kwargs)


class AppendOnlyModel(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            self._refuse()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self._refuse()

    def _refuse(self):
        raise AppendOnlyError(
            f"{type(self).__name__} {self.pk} is never changed: book a correction."
        )


class LedgerAccount(AppendOnlyModel):
    """Where money sits. Each amount booked to an account is what it received (negative: gave).

    Written once too: a changed kind, artist or currency would move every entry booked to it."""

    class Kind(models.TextChoices):
        ARTIST_BALANCE = "artist_balance", "Artist balance"
        PLATFORM_REVENUE = "platform_revenue", "Platform revenue"
        PROCESSOR_FEES = "processor_fees", "Processor fees"
        CUSTOMER_PAYMENTS = "customer_payments", "Customer payments"
        PAYOUTS_IN_TRANSIT = "payouts_in_transit", "Payouts in transit"
        SUPPORTER_POOL = "supporter_pool", "Supporter pool"
        FALLBACK_POOL = "fallback_pool", "Fallback pool"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    # An artist's money stays on the books: deleting an artist with an account is refused.
    artist = models.ForeignKey(
        Artist, null=True, blank=True, on_delete=models.PROTECT, related_name="ledger_accounts"
    )
    currency = models.CharField(max_length=3)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "currency", "id"]
        constraints = [
            # Two partial constraints, as NULL artists never collide in one unique constraint.
            models.UniqueConstraint(
                fields=["kind", "artist", "currency"],
                condition=Q(artist__isnull=False),
                name="ledger_account_per_artist",
            ),
            models.UniqueConstraint(
                fields=["kind", "currency"],
                condition=Q(artist__isnull=True),
                name="ledger_account_per_kind",
            ),
            models.CheckConstraint(
                condition=Q(kind="artist_balance", artist__isnull=False)
                | (~Q(kind="artist_balance") & Q(artist__isnull=True)),
                name="ledger_account_artist_iff_artist_balance",
            ),
        ]

    def __str__(self) -> str:
        owner = f" of {self.artist}" if self.artist_id else ""
        return f"{self.get_kind_display()}{owner} ({self.currency.upper()})"


class LedgerTransaction(AppendOnlyModel):
    """One booking: entries that sum to zero, for one outside event (a Stripe object) at most."""

    class Kind(models.TextChoices):
        SALE = "sale", "Sale"
        TIP = "tip", "Tip"
        SUPPORTER_SHARE = "supporter_share", "Supporter share"
        SUPPORTER_PAYMENT = "supporter_payment", "Supporter payment"
        DISTRIBUTION = "distribution", "Supporter distribution"
        SPLIT = "split", "Split"
        FEE = "fee", "Fee"
        REFUND = "refund", "Refund"
        DISPUTE = "dispute", "Dispute"
        PAYOUT = "payout", "Payout"
        PAYOUT_REVERSAL = "payout_reversal", "Payout reversal"
        CORRECTION = "correction", "Correction"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    reference = models.CharField(
        max_length=255, help_text="What was booked, e.g. a Stripe object id (ch_…, tr_…)."
    )
    memo = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # The same Stripe object can never be booked twice, whichever worker gets there first.
            models.UniqueConstraint(fields=["kind", "reference"], name="ledger_booked_once"),
            models.CheckConstraint(condition=~Q(reference=""), name="ledger_reference_given"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.reference}"


class LedgerEntry(AppendOnlyModel):
    transaction = models.ForeignKey(
        LedgerTransaction, on_delete=models.PROTECT, related_name="entries"
    )
    account = models.ForeignKey(LedgerAccount, on_delete=models.PROTECT, related_name="entries")
    amount = models.BigIntegerField(
        help_text="Minor units received by the account (negative: given)."
    )
    currency = models.CharField(max_length=3)

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "ledger entries"
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="ledger_entry_not_zero"),
        ]

    def __str__(self) -> str:
        return f"{self.amount:+d} {self.currency} → {self.account}"


# How Stripe's requirement names read to an artist; others are shown as Stripe names them.
REQUIREMENT_LABELS = {
    "external_account": "a bank account for payouts",
    "individual.first_name": "your first name",
    "individual.last_name": "your last name",
    "business_profile.url": "a website or profile link",
    "tos_acceptance.date": "accepting Stripe's terms",
    "tos_acceptance.ip": "accepting Stripe's terms",
}


class ConnectedAccount(models.Model):
    """An artist's Stripe Express account, where their payouts go.

    Written before Stripe is asked for the account (its id is the idempotency key), so
    `stripe_account_id` is empty until Stripe answers. The flags are copied from the account as
    Stripe returns it, only ever re-fetched (payments/connect.py).
    """

    artist = models.OneToOneField(
        Artist, on_delete=models.PROTECT, related_name="connected_account"
    )
    stripe_account_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    details_submitted = models.BooleanField(default=False)
    charges_enabled = models.BooleanField(default=False)
    payouts_enabled = models.BooleanField(default=False)
    currently_due = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.stripe_account_id or 'pending account'} of {self.artist}"

    @property
    def payouts_ready(self) -> bool:
        """Stripe has everything it needs and will pay this artist out."""
        return (
            self.details_submitted
            and self.charges_enabled
            and self.payouts_enabled
            and not self.currently_due
        )

    @property
    def currently_due_labels(self) -> list[str]:
        """What Stripe still wants, in words, each once."""
        labels = (REQUIREMENT_LABELS.get(name, name) for name in self.currently_due)
        return list(dict.fromkeys(labels))


class WebhookEvent(models.Model):
    """A Stripe event we received: recorded once by its id, processed once by a task."""

    stripe_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=255)
    payload = models.JSONField(help_text="The event as Stripe sent it (signature checked).")
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    sweeps = models.PositiveSmallIntegerField(
        default=0, help_text="How often the periodic sweep queued it again (webhooks.py)."
    )

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["type", "-received_at"]),
            # The sweep reads only unprocessed events, a handful among millions.
            models.Index(
                fields=["received_at"],
                condition=Q(processed_at__isnull=True),
                name="webhook_unprocessed_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.stripe_id}"

    @property
    def given_up(self) -> bool:
        """Unprocessed after every sweep: left for a person (admin → Webhook events)."""
        return self.processed_at is None and self.sweeps >= settings.WEBHOOK_SWEEP_LIMIT
