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
    hidden_at = models.DateTimeField(null=True, blank=True, help_text="Removed by a moderator.")

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
