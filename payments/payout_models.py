"""Payouts to artists and the transfer reversals that take money back (payments/payouts.py).

Both are written pending before Stripe is asked, and their id is the idempotency key, so a
worker killed between the two never moves money twice.
"""

from django.db import models
from django.db.models import Q

from artists.models import Artist


class Payout(models.Model):
    """An artist's balance on its way to their connected account as one Stripe Transfer."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        REVERSED = "reversed", "Reversed"

    artist = models.ForeignKey(Artist, on_delete=models.PROTECT, related_name="payouts")
    amount = models.PositiveIntegerField(help_text="Minor units.")
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    stripe_transfer_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    amount_reversed = models.PositiveIntegerField(
        default=0, help_text="Reversed on Stripe's side (not by our clawbacks), minor units."
    )
    attempts = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"])]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="payout_not_zero")]

    def __str__(self) -> str:
        return f"Payout {self.pk} to {self.artist} ({self.status})"

    @property
    def idempotency_key(self) -> str:
        return f"payout-{self.pk}"


class Clawback(models.Model):
    """Part of a sent payout taken back (a transfer reversal) because the money it carried
    was refunded or disputed after it left: one per (refund or dispute, payout)."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"

    payout = models.ForeignKey(Payout, on_delete=models.PROTECT, related_name="clawbacks")
    source = models.CharField(max_length=255, help_text="The refund or dispute (re_…, du_…).")
    amount = models.PositiveIntegerField(help_text="Minor units.")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    stripe_reversal_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["source", "payout"], name="clawback_once"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="clawback_not_zero"),
        ]

    def __str__(self) -> str:
        return f"Clawback {self.pk} of {self.amount} from payout {self.payout_id}"

    @property
    def idempotency_key(self) -> str:
        return f"clawback-{self.pk}"
