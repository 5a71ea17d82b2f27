from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse

slug_validator = RegexValidator(
    r"^[a-z0-9](?:[a-z0-9-]{0,48}[a-z0-9])?$",
    "Use 1–50 lower-case letters, digits and hyphens, not starting or ending with a hyphen.",
)


class Artist(models.Model):
    """An artist's public identity. One account runs at most one artist profile."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="artist"
    )
    name = models.CharField(max_length=100)
    slug = models.CharField(max_length=50, unique=True, validators=[slug_validator])
    bio = models.TextField(blank=True, max_length=5000)
    links = models.JSONField(default=list, blank=True)
    location = models.CharField(max_length=100, blank=True)
    avatar = models.ImageField(upload_to="avatars/", blank=True)
    banner = models.ImageField(upload_to="banners/", blank=True)
    is_suspended = models.BooleanField(
        default=False, help_text="Hides the profile and all its music from everyone but staff."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("artists:detail", kwargs={"slug": self.slug})
