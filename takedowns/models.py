"""Copyright takedown requests from rights holders, the works they name, and the uploaders'
counter-notices (docs/copyright.md). Hiding and restoring go through moderation.actions, which
write the audit log; these rows keep what was claimed and what happened to the claim."""

import secrets

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models

# No 0/O or 1/I: a reference is read out over the phone and typed back.
_REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_reference() -> str:
    return "CR-" + "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(8))


class CopyrightClaim(models.Model):
    """A takedown request: who asks, for what work, about which works of this site."""

    class Status(models.TextChoices):
        RECEIVED = "received", "Received"
        ACTIONED = "actioned", "Works taken down"
        REJECTED = "rejected", "Rejected"
        COUNTERED = "countered", "Counter-notice filed"
        RESTORED = "restored", "Works restored"

    class Capacity(models.TextChoices):
        OWNER = "owner", "I own the copyright"
        AGENT = "agent", "I am authorised to act for the owner"

    reference = models.CharField(max_length=12, unique=True, default=new_reference, editable=False)
    # The form's one-time token: a double click (or a resent POST) finds the claim it made.
    submission = models.UUIDField(unique=True, editable=False)
    claimant_name = models.CharField(max_length=200)
    organisation = models.CharField(max_length=200, blank=True)
    email = models.EmailField()
    postal_address = models.TextField(max_length=1000)
    phone = models.CharField(max_length=40, blank=True)
    capacity = models.CharField(max_length=10, choices=Capacity.choices)
    work_description = models.TextField(max_length=5000)
    good_faith = models.BooleanField()
    accurate_under_penalty = models.BooleanField()
    signature = models.CharField(max_length=200)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The account the form was sent from, if it was sent signed in.",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RECEIVED)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"])]
        verbose_name = "copyright claim"

    def __str__(self) -> str:
        return f"{self.reference} from {self.claimant_name}"


class ClaimedWork(models.Model):
    """One track, release or playlist a claim names, as it was when the claim came in."""

    claim = models.ForeignKey(CopyrightClaim, on_delete=models.CASCADE, related_name="works")
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    label = models.CharField(max_length=300)
    url = models.CharField(max_length=500, help_text="The address as the claimant gave it.")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Set when this claim took the work down (not when it was already down for another reason).
    taken_down_at = models.DateTimeField(null=True, blank=True)
    restored_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["claim", "content_type", "object_id"], name="claimed_work_once"
            )
        ]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return self.label

    @property
    def is_down_by_claim(self) -> bool:
        return self.taken_down_at is not None and self.restored_at is None

    def target(self) -> models.Model | None:
        return self.content_type.model_class().objects.filter(pk=self.object_id).first()


class CounterNotice(models.Model):
    """An uploader's answer to a claim that took their work down: one per claim and uploader."""

    claim = models.ForeignKey(
        CopyrightClaim, on_delete=models.CASCADE, related_name="counter_notices"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    statement = models.TextField(max_length=5000)
    good_faith_mistake = models.BooleanField()
    consent_to_jurisdiction = models.BooleanField()
    postal_address = models.TextField(max_length=1000)
    signature = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    forwarded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["claim", "user"], name="counter_notice_once")
        ]

    def __str__(self) -> str:
        return f"Counter-notice to {self.claim.reference} by {self.user}"


class ClaimEvent(models.Model):
    """The claim's history as staff read it on its page. Changes to what the public sees are
    also in moderation's audit log (moderation.actions writes it)."""

    class Kind(models.TextChoices):
        RECEIVED = "received", "Claim received"
        TAKEN_DOWN = "taken_down", "Works taken down"
        REJECTED = "rejected", "Claim rejected"
        COUNTERED = "countered", "Counter-notice filed"
        FORWARDED = "forwarded", "Counter-notice forwarded to the claimant"
        RESTORED = "restored", "Works restored"

    claim = models.ForeignKey(CopyrightClaim, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(max_length=2000, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_kind_display()}"
