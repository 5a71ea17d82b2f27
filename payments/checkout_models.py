"""Prices, payments and purchases: fans buying and tipping (payments/checkout.py, booking.py).

Kept apart from the ledger's models; payments/models.py imports them, so they are this app's.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from artists.models import Artist


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
        # Taken back (a full refund, a dispute): a sale no longer unlocks its downloads.
        REFUNDED = "refunded", "Refunded"
        DISPUTED = "disputed", "Disputed"

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
        indexes = [
            models.Index(fields=["checkout_session_id"]),
            # The earnings page tells an artist's own sale from a split by this id.
            models.Index(fields=["payment_intent_id"], name="payment_intent_idx"),
        ]

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
