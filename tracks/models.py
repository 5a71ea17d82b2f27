import secrets
import uuid

from django.conf import settings
from django.core.signals import setting_changed
from django.db import models
from django.db.models import Q
from django.dispatch import receiver
from django.urls import reverse
from django.utils.functional import LazyObject, empty
from django.utils.text import slugify

from artists.models import Artist


def new_public_id() -> str:
    """Unguessable id used in URLs, so that unlisted music is reachable only by its link."""
    return secrets.token_urlsafe(8)


class _AudioStorage(LazyObject):
    """storages["audio"], looked up on first use and again whenever STORAGES changes.

    A FileField calls a callable `storage` once, when models load: without this, Track.original
    and Rendition.file would keep the storage of that moment even after STORAGES is overridden
    (each test points it at its own folder), and write where the rest of the code never looks.
    """

    def _setup(self):
        from django.core.files.storage import storages

        self._wrapped = storages["audio"]


_audio = _AudioStorage()


@receiver(setting_changed)
def _forget_audio_storage(*, setting, **kwargs):
    if setting == "STORAGES":
        _audio._wrapped = empty


def audio_storage():
    """Originals and renditions live apart from images: never public, reached by signed URL."""
    return _audio


class Visibility(models.TextChoices):
    PUBLIC = "public", "Public — listed on your page and in search"
    UNLISTED = "unlisted", "Unlisted — anyone with the link"
    PRIVATE = "private", "Private — only you"


class Licence(models.TextChoices):
    ALL_RIGHTS = "all-rights-reserved", "All rights reserved"
    CC_BY = "cc-by", "CC BY 4.0"
    CC_BY_SA = "cc-by-sa", "CC BY-SA 4.0"
    CC_BY_NC = "cc-by-nc", "CC BY-NC 4.0"
    CC_BY_NC_SA = "cc-by-nc-sa", "CC BY-NC-SA 4.0"
    CC_BY_ND = "cc-by-nd", "CC BY-ND 4.0"
    CC_BY_NC_ND = "cc-by-nc-nd", "CC BY-NC-ND 4.0"
    CC0 = "cc0", "CC0 (public domain)"


class Publishable(models.Model):
    """What releases and tracks share: an owner, a public id, visibility and takedown."""

    artist = models.ForeignKey(Artist, on_delete=models.CASCADE)
    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    title = models.CharField(max_length=200)
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    release_date = models.DateField(null=True, blank=True)
    cover = models.ImageField(upload_to="covers/", blank=True)
    taken_down_at = models.DateTimeField(null=True, blank=True)
    takedown_reason = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.title

    @property
    def slug(self) -> str:
        return slugify(self.title)[:60] or "untitled"

    @property
    def is_taken_down(self) -> bool:
        return self.taken_down_at is not None


class Release(Publishable):
    class Kind(models.TextChoices):
        ALBUM = "album", "Album"
        EP = "ep", "EP"
        SINGLE = "single", "Single"
        COMPILATION = "compilation", "Compilation"

    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.ALBUM)
    description = models.TextField(blank=True, max_length=10000)

    class Meta:
        ordering = ["-release_date", "-created_at"]
        indexes = [
            models.Index(fields=["artist", "visibility"]),
            models.Index(fields=["-release_date", "-created_at"], name="release_newest"),
        ]
        default_related_name = "releases"

    def get_absolute_url(self) -> str:
        return reverse("tracks:release", kwargs={"public_id": self.public_id, "slug": self.slug})


class Track(Publishable):
    class Status(models.TextChoices):
        PROCESSING = "processing", "Processing"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    release = models.ForeignKey(Release, null=True, blank=True, on_delete=models.SET_NULL)
    position = models.PositiveIntegerField(default=0, help_text="Order within the release.")
    credits = models.TextField(blank=True, max_length=5000)
    genre = models.CharField(max_length=60, blank=True)
    tags = models.JSONField(default=list, blank=True)
    licence = models.CharField(max_length=20, choices=Licence.choices, default=Licence.ALL_RIGHTS)
    radio_enabled = models.BooleanField(
        default=True, help_text="May Backstage Radio and personal stations play this track?"
    )
    # Fields the artist typed themselves; tags found in the file never overwrite these.
    edited_fields = models.JSONField(default=list, blank=True)

    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PROCESSING)
    status_message = models.CharField(max_length=500, blank=True)
    processing_started_at = models.DateTimeField(null=True, blank=True)
    processing_attempts = models.PositiveSmallIntegerField(default=0)

    original = models.FileField(storage=audio_storage, max_length=300)
    original_filename = models.CharField(max_length=255)
    original_size = models.BigIntegerField(default=0)

    duration = models.FloatField(null=True, blank=True, help_text="Seconds.")
    codec = models.CharField(max_length=40, blank=True)
    sample_rate = models.PositiveIntegerField(null=True, blank=True)
    channels = models.PositiveSmallIntegerField(null=True, blank=True)
    bitrate = models.PositiveIntegerField(null=True, blank=True, help_text="Bits per second.")
    loudness_lufs = models.FloatField(null=True, blank=True)
    peaks = models.JSONField(default=list, blank=True)
    embedded_tags = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["release_id", "position", "-created_at"]
        indexes = [
            models.Index(fields=["artist", "visibility", "status"]),
            models.Index(fields=["status", "processing_started_at"]),
            models.Index(fields=["-created_at"], name="track_newest"),
        ]
        default_related_name = "tracks"

    def get_absolute_url(self) -> str:
        return reverse("tracks:track", kwargs={"public_id": self.public_id, "slug": self.slug})

    @property
    def is_playable(self) -> bool:
        return self.status == self.Status.READY and not self.is_taken_down

    @property
    def display_cover(self):
        if self.cover:
            return self.cover
        if self.release_id and self.release.cover:
            return self.release.cover
        return None


class Rendition(models.Model):
    """A streaming copy of a track, made by the audio pipeline."""

    class Format(models.TextChoices):
        OPUS = "opus", "Opus 96 kb/s (Ogg)"
        MP3 = "mp3", "MP3 128 kb/s"

    MIME_TYPES = {Format.OPUS: "audio/ogg; codecs=opus", Format.MP3: "audio/mpeg"}

    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="renditions")
    format = models.CharField(max_length=8, choices=Format.choices)
    file = models.FileField(storage=audio_storage, max_length=300)
    size = models.BigIntegerField(default=0)
    bitrate = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["track", "format"], name="one_rendition_per_format")
        ]
        ordering = ["format"]

    def __str__(self) -> str:
        return f"{self.track} ({self.format})"

    @property
    def mime_type(self) -> str:
        return self.MIME_TYPES[self.format]


class Upload(models.Model):
    """One file on its way from a browser to a Track.

    Started before the bytes move (so a browser can send them straight to S3), completed once
    they have arrived and look like audio. Uploads that never complete are purged with their
    file by `tracks.purge_abandoned_uploads`.
    """

    class State(models.TextChoices):
        STARTED = "started", "Waiting for the file"
        COMPLETED = "completed", "Completed"
        REJECTED = "rejected", "Rejected"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="uploads"
    )
    artist = models.ForeignKey(Artist, on_delete=models.CASCADE, related_name="uploads")
    release = models.ForeignKey(
        Release, null=True, blank=True, on_delete=models.CASCADE, related_name="uploads"
    )
    position = models.PositiveIntegerField(default=0)
    key = models.CharField(max_length=300, help_text="Name in the audio storage.")
    filename = models.CharField(max_length=255)
    declared_size = models.BigIntegerField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.STARTED)
    message = models.CharField(max_length=500, blank=True)
    track = models.OneToOneField(
        Track, null=True, blank=True, on_delete=models.SET_NULL, related_name="upload"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["state", "created_at"])]

    def __str__(self) -> str:
        return self.filename


PLAYABLE = Q(status=Track.Status.READY, taken_down_at__isnull=True)
