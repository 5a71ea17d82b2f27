from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """A person with an account: every listener, and every artist's owner."""

    display_name = models.CharField(max_length=80, blank=True)
    public_profile = models.BooleanField(
        default=True,
        help_text="Show a public page with this listener's public playlists and followed artists.",
    )
    email_new_releases = models.BooleanField(
        default=True, help_text="E-mail when an artist this listener follows releases music."
    )
    # Set and cleared only through moderation.actions (which writes the audit log).
    suspended_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Suspended: cannot sign in, upload, comment, message or be paid; "
        "public content hidden, nothing deleted.",
    )

    @property
    def is_suspended(self) -> bool:
        return self.suspended_at is not None

    @property
    def name(self) -> str:
        return self.display_name or self.username

    def __str__(self) -> str:
        return self.display_name or self.email or self.username
