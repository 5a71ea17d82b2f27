from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse

MAX_BODY = 2000


class Conversation(models.Model):
    """The one conversation between two people: `user_low` has the smaller id, so a pair has
    exactly one row whoever starts it (starting again continues it)."""

    user_low = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    user_high = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_message_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-last_message_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user_low", "user_high"], name="conversation_per_pair"),
            models.CheckConstraint(
                condition=Q(user_low__lt=F("user_high")), name="conversation_ordered_pair"
            ),
        ]

    def __str__(self) -> str:
        return f"Conversation {self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("messaging:conversation", kwargs={"conversation_id": self.pk})

    def other(self, user):
        """The participant who is not `user`."""
        return self.user_high if user.pk == self.user_low_id else self.user_low


class Participant(models.Model):
    """One side of a conversation: how far that person has read, how many messages they have
    not seen, and when they were last e-mailed about it (at most once an hour:
    services.send_message)."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="participants"
    )
    user = models.ForeignKey(  # indexed by (user, conversation) below
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="conversation_seats",
        db_index=False,
    )
    read_up_to = models.BigIntegerField(default=0, help_text="Last Message id this person saw.")
    # Messages from the other person after read_up_to, kept by services under a lock on both
    # seats, so the header's total is a sum over one person's seats (no scan of messages).
    unread = models.PositiveIntegerField(default=0)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["conversation", "user"], name="participant_once")
        ]
        indexes = [models.Index(fields=["user", "conversation"])]

    def __str__(self) -> str:
        return f"{self.user} in {self.conversation_id}"


class Message(models.Model):
    """Plain text (templates escape it). `token` comes from the form that sent it, so a double
    click or a resubmitted form posts once. `about` is the title of the call it was sent from,
    copied at the time (the call may close or disappear later)."""

    # Indexed by (conversation, id) below: "messages after my read mark" is a range scan.
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages", db_index=False
    )
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sent_messages"
    )
    body = models.TextField(max_length=MAX_BODY)
    about = models.CharField(max_length=200, blank=True)
    token = models.UUIDField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["sender", "token"], name="message_once_per_token")
        ]
        indexes = [models.Index(fields=["conversation", "id"])]

    def __str__(self) -> str:
        return f"{self.sender}: {self.body[:40]}"


class Block(models.Model):
    """`blocker` wants nothing from `blocked`. Holds both ways: neither can start a
    conversation with the other or send in one (selectors.blocked_between)."""

    blocker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    blocked = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["blocker", "blocked"], name="block_once"),
            models.CheckConstraint(condition=~Q(blocker=F("blocked")), name="block_not_self"),
        ]
        indexes = [models.Index(fields=["blocked", "blocker"])]

    def __str__(self) -> str:
        return f"{self.blocker} blocks {self.blocked}"


class Report(models.Model):
    """A participant asks staff to look at a conversation. Only reported conversations (and
    their messages) appear in the admin; one open report per person and conversation."""

    class Reason(models.TextChoices):
        SPAM = "spam", "Spam or advertising"
        HARASSMENT = "harassment", "Harassment or abuse"
        SCAM = "scam", "Scam or fraud"
        OTHER = "other", "Something else"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        ACTIONED = "actioned", "Action taken"
        DISMISSED = "dismissed", "Dismissed"

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    reason = models.CharField(max_length=20, choices=Reason.choices)
    text = models.TextField(max_length=2000, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "reporter"],
                condition=Q(status="open"),
                name="report_one_open_per_reporter",
            )
        ]

    def __str__(self) -> str:
        return f"Report {self.pk} ({self.get_reason_display()})"
