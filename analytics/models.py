"""What listeners do with the music. So far: each time a stream starts, and from where.

A stream start is not yet a *play* (the counting rules — 30 s heard, fraud checks, tokens —
arrive with the analytics issue); it is what "recently played" and "where listeners come from"
(embedding sites included) are built on today.
"""

from django.conf import settings
from django.db import models

from tracks.models import Track


class Source(models.TextChoices):
    ARTIST = "artist", "Artist profile"
    RELEASE = "release", "Release page"
    TRACK = "track", "Track page"
    SEARCH = "search", "Search"
    LIBRARY = "library", "Library"
    OWN_PLAYLIST = "own-playlist", "Own playlist"
    PLAYLIST = "playlist", "Someone else's playlist"
    RADIO = "radio", "Radio"
    EMBED = "embed", "Embedded player"
    HOME = "home", "Home and feed"
    DIRECT = "direct", "Direct link"


class StreamStart(models.Model):
    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="stream_starts")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="stream_starts",
    )
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.DIRECT)
    origin = models.CharField(
        max_length=200, blank=True, help_text="For embeds: the embedding site (scheme://host)."
    )
    context = models.CharField(
        max_length=32, blank=True, help_text="The playlist or release public id played from."
    )
    started_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-started_at"]
        indexes = [
            models.Index(fields=["user", "-started_at"]),
            models.Index(fields=["track", "-started_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.track} ({self.source})"


class BufferedBeacon(models.Model):
    """A beacon waiting to be drained, when Redis is not there (embedded default) or is down."""

    payload = models.JSONField()
    via_fallback = models.BooleanField(
        default=False, help_text="Buffered here because Redis was configured but unreachable."
    )
    received_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"beacon {self.pk}" + (" (fallback)" if self.via_fallback else "")


class PlaySession(models.Model):
    """The listening state of one play token (its nonce): every beacon received, by seq."""

    nonce = models.CharField(max_length=32, unique=True)
    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="+")
    beacons = models.JSONField(default=list, help_text="[seq, event, position, client ms]")
    user_agent = models.CharField(max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.nonce


class PlayEvent(models.Model):
    """One play token's outcome. `counted` is decided once, when 30 s (or the track) is heard."""

    nonce = models.CharField(max_length=32, unique=True)
    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="play_events")
    listener_key = models.CharField(max_length=40, db_index=True)
    ip_key = models.CharField(max_length=16, blank=True)
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.DIRECT)
    origin = models.CharField(max_length=200, blank=True)
    context = models.CharField(max_length=32, blank=True)
    started_at = models.DateTimeField(db_index=True)
    heard_seconds = models.FloatField(default=0)
    counted = models.BooleanField(default=False)
    counted_at = models.DateTimeField(null=True, blank=True)
    completion = models.CharField(max_length=8, default="skip")
    skipped_early = models.BooleanField(default=False)
    flagged = models.BooleanField(default=False)
    flag_reason = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["track", "listener_key", "counted_at"])]

    def __str__(self) -> str:
        return (
            f"{self.track} · {self.listener_key} · {'counted' if self.counted else 'not counted'}"
        )
