"""Playlists and the listener's library (saved tracks and releases)."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.text import slugify

from tracks.models import Release, Track, Visibility, new_public_id

MAX_ITEMS = 10_000


class Playlist(models.Model):
    """A listener's ordered list of tracks. Collaborators may add and reorder; only the owner
    renames, changes visibility, invites and deletes."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="playlists"
    )
    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    title = models.CharField(max_length=120)
    description = models.TextField(blank=True, max_length=2000)
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    cover = models.ImageField(upload_to="playlist-covers/", blank=True)
    collaborators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Collaborator", related_name="shared_playlists"
    )
    item_count = models.PositiveIntegerField(default=0)
    taken_down_at = models.DateTimeField(null=True, blank=True)
    takedown_reason = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, help_text="Last change to details or tracks.")

    class Meta:
        ordering = ["-updated_at"]
        indexes = [models.Index(fields=["owner", "-updated_at"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("playlists:detail", kwargs={"public_id": self.public_id, "slug": self.slug})

    @property
    def slug(self) -> str:
        return slugify(self.title)[:60] or "playlist"

    @property
    def is_taken_down(self) -> bool:
        return self.taken_down_at is not None

    @property
    def is_hidden(self) -> bool:
        """Shown to nobody but its owner and staff: taken down, or its owner is suspended."""
        return self.is_taken_down or self.owner.suspended_at is not None


class PlaylistItem(models.Model):
    """A track's place in a playlist. `rank` orders items (see playlists/ranking.py): a move
    rewrites one row."""

    playlist = models.ForeignKey(Playlist, on_delete=models.CASCADE, related_name="items")
    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="playlist_items")
    rank = models.CharField(max_length=255)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["playlist", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["playlist", "rank"], name="one_item_per_rank"),
            models.UniqueConstraint(fields=["playlist", "track"], name="track_once_per_playlist"),
        ]

    def __str__(self) -> str:
        return f"{self.playlist} #{self.rank}: {self.track}"


class Collaborator(models.Model):
    """An invitation to add to and reorder a playlist; it takes effect once accepted (nobody
    is made to collaborate, and an unwanted invitation shows up nowhere but the invitee's
    library, as a question)."""

    playlist = models.ForeignKey(Playlist, on_delete=models.CASCADE)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    added_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["playlist", "user"], name="collaborate_once")
        ]

    def __str__(self) -> str:
        return f"{self.user} on {self.playlist}"


class PlaylistFollow(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="playlist_follows"
    )
    playlist = models.ForeignKey(Playlist, on_delete=models.CASCADE, related_name="follows")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "playlist"], name="follow_playlist_once")
        ]

    def __str__(self) -> str:
        return f"{self.user} follows {self.playlist}"


class SavedTrack(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_tracks"
    )
    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="saves")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "track"], name="save_track_once")]
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.user} saved {self.track}"


class SavedRelease(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_releases"
    )
    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="saves")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "release"], name="save_release_once")
        ]
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.user} saved {self.release}"
