from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse

from .skills import skill_labels

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
    # Collaboration (collab/): slugs from artists/skills.py, normalised genres, and whether
    # the artist is looking for collaborators now. Lists filter through backstage/jsonlists.py.
    skills = models.JSONField(default=list, blank=True)
    genres = models.JSONField(default=list, blank=True)
    open_to_collab = models.BooleanField(
        "Open to collaborate",
        default=False,
        help_text="Shows you as open to collaborate in the artist directory.",
    )
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

    @property
    def skill_labels(self) -> list[str]:
        return skill_labels(self.skills)


class Follow(models.Model):
    """A listener follows an artist: their new releases reach the listener's feed and inbox."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="artist_follows"
    )
    artist = models.ForeignKey(Artist, on_delete=models.CASCADE, related_name="follows")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "artist"], name="follow_once")]
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.user} follows {self.artist}"


class Announcement(models.Model):
    """New music from an artist, e-mailed once to its followers.

    One row per release (or per single: a track without a release), made when it first becomes
    listed: the unique constraints make a second track finishing, or a repeated task, find the
    row already there instead of mailing again. `cursor` is the last Follow id mailed, so a
    delivery interrupted half-way resumes after the followers already mailed.
    """

    artist = models.ForeignKey(Artist, on_delete=models.CASCADE, related_name="announcements")
    release = models.OneToOneField(
        "tracks.Release", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    track = models.OneToOneField(
        "tracks.Track", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    cursor = models.BigIntegerField(default=0, help_text="Last Follow id mailed.")
    sent = models.PositiveIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(release__isnull=False) ^ models.Q(track__isnull=False),
                name="announce_a_release_or_a_single",
            )
        ]

    def __str__(self) -> str:
        return f"{self.artist}: {self.release or self.track}"

    @property
    def music(self):
        """The release, or the single track, announced."""
        return self.release or self.track
