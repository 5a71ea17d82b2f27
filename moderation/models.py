"""Reports from anyone about anything people publish, and the append-only record of what staff
did about them (docs/moderation.md)."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q


class Category(models.TextChoices):
    COPYRIGHT = "copyright", "Copyright infringement"
    OFFENSIVE = "offensive", "Offensive or hateful"
    SPAM = "spam", "Spam or scam"
    IMPERSONATION = "impersonation", "Impersonation"
    ILLEGAL = "illegal", "Illegal content"
    OTHER = "other", "Something else"


MAX_DETAILS = 2000


class Report(models.Model):
    """Someone asks staff to look at one thing (moderation/targets.py names the kinds)."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        RESOLVED = "resolved", "Action taken"
        DISMISSED = "dismissed", "Dismissed"

    target_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    target_id = models.PositiveBigIntegerField()
    # What the reporter saw, kept even if the thing is later edited or deleted.
    target_label = models.CharField(max_length=300)
    category = models.CharField(max_length=20, choices=Category.choices)
    details = models.TextField(max_length=MAX_DETAILS, blank=True)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="moderation_reports",
    )
    reporter_email = models.EmailField(blank=True, help_text="Where the outcome is sent.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # What closed it (an AuditEntry action): the reporter's e-mail says only this.
    outcome = models.CharField(max_length=20, blank=True)
    # Set when the outcome e-mail went out, so a redelivered task never sends it twice.
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["target_type", "target_id"]),
        ]
        constraints = [
            # A signed-in person has at most one open report per thing (a visitor's are kept
            # to one per e-mail address by services.file_report).
            models.UniqueConstraint(
                fields=["target_type", "target_id", "reporter"],
                condition=Q(status="open", reporter__isnull=False),
                name="report_one_open_per_reporter_and_target",
            )
        ]

    def __str__(self) -> str:
        return f"Report {self.pk}: {self.get_category_display()} — {self.target_label}"


class AuditEntry(models.Model):
    """One moderation action, never changed or deleted (on PostgreSQL a trigger refuses both)."""

    class Action(models.TextChoices):
        TAKE_DOWN = "take_down", "Took down"
        RESTORE = "restore", "Restored"
        WARN = "warn", "Warned"
        SUSPEND = "suspend", "Suspended user"
        UNSUSPEND = "unsuspend", "Lifted suspension"
        DISMISS = "dismiss", "Dismissed report"

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=20, choices=Action.choices)
    target_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    target_id = models.PositiveBigIntegerField(null=True, blank=True)
    target_label = models.CharField(max_length=300, blank=True)
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The person the action concerns (the owner of the thing, or the user).",
    )
    report = models.ForeignKey(
        Report, null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_entries"
    )
    note = models.TextField(max_length=2000)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "audit log"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()} {self.target_label}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("The audit log is append-only.")
