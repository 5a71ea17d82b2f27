"""The supporter plan: a fan's monthly subscription, each month's money, and where it went.

payments/supporters.py starts plans and books invoices; payments/distribution.py shares out
each month's pool. Kept apart from the ledger's models; payments/models.py imports them.
"""

import json

from django.conf import settings
from django.db import models


class Subscription(models.Model):
    """A fan's supporter plan. Written pending before Stripe is asked for a Checkout Session
    (its id and `checkout_attempt` make the idempotency key); the Stripe ids are recorded once
    Stripe answers. Cancelled, it stays active to the end of the month paid for, then ends; an
    ended plan is started again by the same row (one per fan)."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        ACTIVE = "active", "Active"
        ENDED = "ended", "Ended"

    fan = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="supporter_plan"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    amount = models.PositiveIntegerField(help_text="Minor units a month.")
    currency = models.CharField(max_length=3)
    checkout_session_id = models.CharField(max_length=255, blank=True)
    checkout_url = models.URLField(max_length=2000, blank=True)
    stripe_subscription_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    # A new Checkout Session (an expired one, a plan started again) is a new attempt: a new key.
    checkout_attempt = models.PositiveIntegerField(default=0)
    cancel_at_period_end = models.BooleanField(
        default=False, help_text="Cancelled by the fan: ends at `ends_at`, renews no more."
    )
    ends_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Supporter plan of {self.fan} ({self.status})"

    @property
    def idempotency_key(self) -> str:
        attempt = f"-{self.checkout_attempt}" if self.checkout_attempt else ""
        return f"backstage-subscription-{self.pk}-checkout{attempt}"

    @property
    def cancel_key(self) -> str:
        return f"backstage-subscription-{self.pk}-{self.stripe_subscription_id}-cancel"


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
    run = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="The distribution run of its month that shared it out (1, 2, …); empty until "
        "then, so money booked after a month's first run goes out with the next.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["month", "fan"])]

    def __str__(self) -> str:
        return f"{self.invoice_id}: {self.pool} {self.currency} for {self.month:%Y-%m}"


class IntegerListField(models.Field):
    """A list of whole numbers: `integer[]` on PostgreSQL (4 bytes an element, written as is by
    SQL), JSON text elsewhere. jsonb was measured first: converting ~9 million numbers to jsonb
    and compressing them cost a quarter of the distribution's time."""

    description = "A list of integers"

    def db_type(self, connection) -> str:
        return "integer[]" if connection.vendor == "postgresql" else "text"

    def from_db_value(self, value, expression, connection):
        return json.loads(value) if isinstance(value, str) else value

    def to_python(self, value):
        return json.loads(value) if isinstance(value, str) else value

    def get_db_prep_value(self, value, connection, prepared=False):
        if value is None:
            return None
        value = list(value)
        return value if connection.vendor == "postgresql" else json.dumps(value)


class SupporterAllocation(models.Model):
    """Where one supporter's pool money of `month` went: one row per fan, month and currency,
    written by the distribution (payments/distribution.py), never changed after.

    The parts are kept as three parallel lists rather than one row per (fan, artist): a month
    of 100,000 supporters has ~9 million parts, and writing them as rows took two thirds of the
    distribution's time (tests/bench/README.md, "Supporters").
    """

    month = models.DateField()
    # No database foreign key: the row is written by one INSERT … SELECT from existing users.
    fan = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,  # the unique constraint's index starts with it
        related_name="supporter_allocations",
    )
    currency = models.CharField(max_length=3)
    pool = models.PositiveIntegerField(help_text="The fan's pool money: the amounts' sum.")
    run = models.PositiveSmallIntegerField(
        default=1, help_text="Which distribution run of the month wrote it (late money: 2, 3, …)."
    )
    fallback = models.BooleanField(
        default=False, help_text="The fan played nobody: shared by the published fallback."
    )
    artist_ids = IntegerListField(help_text="The artists given money, as ids.")
    amounts = IntegerListField(help_text="Minor units given to each, in the same order.")
    plays = IntegerListField(help_text="Each one's capped counted plays (0 by the fallback).")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["fan", "month", "currency", "run"], name="supporter_allocation_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.pool} {self.currency} of fan {self.fan_id} ({self.month:%Y-%m})"

    def parts(self) -> list[tuple[int, int, int]]:
        """[(artist id, amount, plays)], largest amount first (then lowest artist id)."""
        rows = zip(self.artist_ids, self.amounts, self.plays, strict=True)
        return sorted(rows, key=lambda row: (-row[1], row[0]))
