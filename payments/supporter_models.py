"""The supporter plan: a fan's monthly subscription, each month's money, and where it went.

payments/supporters.py starts plans and books invoices; payments/distribution.py shares out
each month's pool. Kept apart from the ledger's models; payments/models.py imports them.
"""

from django.conf import settings
from django.db import models

from artists.models import Artist


class Subscription(models.Model):
    """A fan's supporter plan. Written pending before Stripe is asked for a Checkout Session
    (its id is the idempotency key); the Stripe ids are recorded once Stripe answers."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        ACTIVE = "active", "Active"

    fan = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="supporter_plan"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    amount = models.PositiveIntegerField(help_text="Minor units a month.")
    currency = models.CharField(max_length=3)
    checkout_session_id = models.CharField(max_length=255, blank=True)
    checkout_url = models.URLField(max_length=2000, blank=True)
    stripe_subscription_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Supporter plan of {self.fan} ({self.status})"

    @property
    def idempotency_key(self) -> str:
        return f"backstage-subscription-{self.pk}-checkout"


class SupporterMonth(models.Model):
    """One paid invoice of a plan: the fan's money for `month`, and what of it is in the pool."""

    fan = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="supporter_months"
    )
    month = models.DateField(help_text="The first day of the month the invoice was paid in.")
    invoice_id = models.CharField(max_length=255, unique=True)
    amount = models.PositiveIntegerField()
    pool = models.PositiveIntegerField(help_text="What goes to artists: amount − fee − cut.")
    currency = models.CharField(max_length=3)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["month", "fan"])]

    def __str__(self) -> str:
        return f"{self.invoice_id}: {self.pool} {self.currency} for {self.month:%Y-%m}"


class SupporterShare(models.Model):
    """What one fan's pool money of `month` gave one artist (written by the distribution)."""

    month = models.DateField()
    # No database foreign keys: a month writes millions of rows in one INSERT … SELECT, and
    # per-row key checks would triple its time; the rows come from existing users and artists.
    fan = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="supporter_shares",
    )
    artist = models.ForeignKey(
        Artist, on_delete=models.DO_NOTHING, db_constraint=False, related_name="supporter_shares"
    )
    amount = models.PositiveIntegerField()
    plays = models.PositiveIntegerField(help_text="Capped counted plays; 0: the fallback.")
    currency = models.CharField(max_length=3)

    class Meta:
        # Written once per month and currency by the distribution, which holds a table lock
        # while it checks and books (no unique index: it would double the insert's time).
        indexes = [models.Index(fields=["fan", "month"])]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency} to artist {self.artist_id} ({self.month:%Y-%m})"
