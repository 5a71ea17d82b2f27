"""The double-entry ledger: accounts, transactions and their entries, in integer minor units.

Append-only: a booked transaction and its entries are never changed or deleted (the guards
below, and on PostgreSQL a trigger from migration 0001); a mistake is corrected by a new
transaction. Entries are written only by payments.ledger.post_transaction.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from artists.models import Artist


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


# --- Buying and tipping (payments/checkout.py, payments/booking.py) -----------------------------


class PriceTag(models.Model):
    """What a track or a release costs, kept apart from tracks' models. No tag, or no price:
    not for sale. `minimum` below `price` makes it name-your-price from the minimum up."""

    track = models.OneToOneField(
        "tracks.Track", null=True, blank=True, on_delete=models.CASCADE, related_name="price_tag"
    )
    release = models.OneToOneField(
        "tracks.Release", null=True, blank=True, on_delete=models.CASCADE, related_name="price_tag"
    )
    price = models.PositiveIntegerField(
        null=True, blank=True, help_text="Minor units; empty: not for sale."
    )
    minimum = models.PositiveIntegerField(
        null=True, blank=True, help_text="Lowest amount a fan may pay (empty: the price)."
    )
    currency = models.CharField(max_length=3, default="eur")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(track__isnull=False) ^ Q(release__isnull=False),
                name="price_tag_for_a_track_or_a_release",
            ),
            models.CheckConstraint(
                condition=Q(minimum__isnull=True) | Q(minimum__lte=models.F("price")),
                name="price_tag_minimum_at_most_price",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.track or self.release}: {self.price}"

    @property
    def for_sale(self) -> bool:
        return self.price is not None

    @property
    def lowest(self) -> int | None:
        """The least a fan may pay."""
        return self.price if self.minimum is None else self.minimum


class Payment(models.Model):
    """A fan's payment, from the moment they press Buy or Tip: pending until Stripe's
    checkout.session.completed is booked (payments/booking.py), then paid."""

    class Kind(models.TextChoices):
        SALE = "sale", "Purchase"
        TIP = "tip", "Tip"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        PAID = "paid", "Paid"

    kind = models.CharField(max_length=4, choices=Kind.choices)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    fan = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="payments"
    )
    artist = models.ForeignKey(Artist, on_delete=models.PROTECT, related_name="payments")
    track = models.ForeignKey(
        "tracks.Track", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    release = models.ForeignKey(
        "tracks.Release", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    amount = models.PositiveIntegerField(help_text="Minor units.")
    currency = models.CharField(max_length=3)
    message = models.CharField(max_length=280, blank=True, help_text="A tip's note to the artist.")
    # The form's one-time token: a double-clicked Buy finds this row instead of making another.
    form_token = models.CharField(max_length=64)
    checkout_session_id = models.CharField(max_length=255, blank=True)
    checkout_url = models.URLField(max_length=2000, blank=True)
    payment_intent_id = models.CharField(max_length=255, blank=True)
    fee = models.PositiveIntegerField(null=True, blank=True, help_text="Stripe's fee, minor units.")
    created_at = models.DateTimeField(auto_now_add=True)
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["fan", "form_token"], name="payment_once_per_form"),
        ]
        indexes = [models.Index(fields=["checkout_session_id"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.pk} ({self.status})"

    @property
    def idempotency_key(self) -> str:
        """Every Stripe create call for this payment carries this key: a retry or a double
        submission gets the same Checkout Session back."""
        return f"backstage-payment-{self.pk}-checkout"


class Purchase(models.Model):
    """A paid sale: unlocks downloads of the original (a release's: all its tracks) for the fan."""

    payment = models.OneToOneField(Payment, on_delete=models.PROTECT, related_name="purchase")
    fan = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="purchases"
    )
    track = models.ForeignKey(
        "tracks.Track", null=True, blank=True, on_delete=models.CASCADE, related_name="purchases"
    )
    release = models.ForeignKey(
        "tracks.Release",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="purchases",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["fan", "-created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(track__isnull=False) ^ Q(release__isnull=False),
                name="purchase_of_a_track_or_a_release",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.fan} bought {self.track or self.release}"
