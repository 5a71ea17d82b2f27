from django.conf import settings
from django.db import models
from django.db.models import Q


class Notification(models.Model):
    """Something that happened to a person while they were away: a reply to their call, a new
    message, a credit to confirm. Shown under the bell in the header; optionally also e-mailed.

    `text` is plain text (templates escape it); `url` is a site path, never an outside address."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=40)
    text = models.CharField(max_length=300)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["user", "created_at"],
                condition=Q(read_at__isnull=True),
                name="notification_unread",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.text}"
