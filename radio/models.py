"""Radio: the live station's schedule, personal stations, listeners' feedback and the
running scores the picker reads (radio/picking.py)."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from artists.models import Artist
from tracks.models import Track


class StationKind(models.TextChoices):
    LIVE = "live", "Backstage Radio"
    DISCOVERY = "discovery", "Discovery"
    TAG = "tag", "Genre or tag"
    MOOD = "mood", "Mood"
    ARTIST = "artist", "Artist radio"
    TRACK = "track", "From a track"


class RadioSession(models.Model):
    """One listener tuned to one personal station. Its plays rule out repeats."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    listener_key = models.CharField(max_length=64, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE
    )
    kind = models.CharField(max_length=10, choices=StationKind.choices)
    seed = models.CharField(max_length=100, blank=True, help_text="Tag, mood, artist slug…")
    seed_artist = models.ForeignKey(Artist, null=True, blank=True, on_delete=models.CASCADE)
    seed_track = models.ForeignKey(Track, null=True, blank=True, on_delete=models.CASCADE)
    created_at = models.DateTimeField(auto_now_add=True)
    last_pick_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.seed}".strip()


class LiveSlot(models.Model):
    """One track on the shared station's schedule, at a fixed moment everyone hears."""

    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="live_slots")
    artist = models.ForeignKey(Artist, on_delete=models.CASCADE, related_name="+")
    starts_at = models.DateTimeField(unique=True)
    ends_at = models.DateTimeField(db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["artist", "starts_at"])]

    def __str__(self) -> str:
        return f"{self.starts_at:%Y-%m-%d %H:%M:%S} {self.track}"


class RadioPlay(models.Model):
    """A radio track handed to a listener. Feedback is only taken for these."""

    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="radio_plays")
    listener_key = models.CharField(max_length=64)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    kind = models.CharField(max_length=10, choices=StationKind.choices)
    session = models.ForeignKey(
        RadioSession, null=True, blank=True, on_delete=models.CASCADE, related_name="plays"
    )
    slot = models.ForeignKey(
        LiveSlot, null=True, blank=True, on_delete=models.SET_NULL, related_name="plays"
    )
    started_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["listener_key", "track"]),
            models.Index(fields=["session", "started_at"]),
            models.Index(fields=["track", "started_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["slot", "listener_key"],
                condition=Q(slot__isnull=False),
                name="one_play_per_live_slot",
            )
        ]

    def __str__(self) -> str:
        return f"{self.track} to {self.listener_key}"


class Reason(models.TextChoices):
    """Why a listener disliked a track: shown to the artist, counted per reason."""

    GENRE = "genre", "Not my genre"
    PRODUCTION = "production", "Production"
    VOCALS = "vocals", "Vocals"
    TOO_LONG = "too-long", "Too long"
    TOO_SLOW = "too-slow", "Takes too long to start"
    OTHER = "other", "Something else"


class Feedback(models.Model):
    """A like, dislike or skip of one radio play. Like and dislike exclude each other."""

    class Kind(models.TextChoices):
        LIKE = "like", "Like"
        DISLIKE = "dislike", "Dislike"
        SKIP = "skip", "Skip"

    play = models.ForeignKey(RadioPlay, on_delete=models.CASCADE, related_name="feedback")
    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="radio_feedback")
    listener_key = models.CharField(max_length=64)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    reason = models.CharField(max_length=12, choices=Reason.choices, blank=True)
    at_seconds = models.FloatField(null=True, blank=True, help_text="Where in the track.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["track", "kind"]),
            models.Index(fields=["listener_key", "kind", "track"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["play", "kind"], name="one_feedback_kind_per_play"),
            models.CheckConstraint(
                condition=Q(reason="") | Q(kind="dislike"), name="reason_only_for_dislikes"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.track}"


class TimedComment(models.Model):
    """A comment pinned to a moment of a track, shown on its waveform to everyone."""

    MAX_LENGTH = 500

    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="timed_comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="timed_comments"
    )
    play = models.ForeignKey(
        RadioPlay, null=True, blank=True, on_delete=models.SET_NULL, related_name="comments"
    )
    at_seconds = models.FloatField()
    body = models.TextField(max_length=MAX_LENGTH)
    created_at = models.DateTimeField(auto_now_add=True)
    hidden_at = models.DateTimeField(null=True, blank=True, help_text="Hidden by a moderator.")
    hidden_note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["at_seconds", "created_at"]
        indexes = [
            models.Index(fields=["track", "at_seconds"]),
            models.Index(fields=["author", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.author} at {self.at_seconds:.0f}s on {self.track}"


class TrackRadioScore(models.Model):
    """Running radio counts of one track: the inputs of its score in the picker."""

    track = models.OneToOneField(
        Track, primary_key=True, on_delete=models.CASCADE, related_name="radio_score"
    )
    plays = models.IntegerField(default=0, help_text="Radio plays handed to listeners.")
    likes = models.IntegerField(default=0)
    dislikes = models.IntegerField(default=0)
    skips = models.IntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.track}: {self.likes}+ {self.dislikes}- {self.skips}>"


class ArtistExposure(models.Model):
    """How much an artist has been heard lately, on the radio and elsewhere (28 days).

    Refreshed by Celery beat from analytics' rollups; the picker gives a bonus to artists
    little heard on the radio and with few organic plays.
    """

    artist = models.OneToOneField(
        Artist, primary_key=True, on_delete=models.CASCADE, related_name="radio_exposure"
    )
    # Listener-seconds heard on the radio (analytics, source radio): the artists' "hours heard".
    heard_seconds = models.FloatField(default=0)
    organic_plays = models.IntegerField(default=0)
    refreshed_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.artist_id}: {self.heard_seconds:.0f} s heard on the radio"


class ListenerAffinity(models.Model):
    """What one listener's feedback says they like (+) or not (−), by artist or genre."""

    class Dimension(models.TextChoices):
        ARTIST = "artist", "Artist"
        GENRE = "genre", "Genre"

    listener_key = models.CharField(max_length=64)
    dimension = models.CharField(max_length=8, choices=Dimension.choices)
    value = models.CharField(max_length=100)
    weight = models.FloatField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["listener_key", "dimension", "value"], name="one_affinity_per_value"
            )
        ]

    def __str__(self) -> str:
        return f"{self.dimension} {self.value}: {self.weight:+.2f}"


class ArtistSimilarity(models.Model):
    """Artists heard by the same listeners or sharing tags: artist radio's neighbours."""

    artist = models.ForeignKey(Artist, on_delete=models.CASCADE, related_name="similar")
    other = models.ForeignKey(Artist, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["artist", "other"], name="one_similarity_per_pair")
        ]
        indexes = [models.Index(fields=["artist", "-score"])]

    def __str__(self) -> str:
        return f"{self.artist_id} ~ {self.other_id}"


class PoolTrack(models.Model):
    """A candidate of one station pool, with its slowly-changing prior.

    Pools (`discovery`, `tag:ambient`, `artist:12`, …) are small precomputed candidate lists,
    refreshed by Celery beat, so that a pick scores a few hundred rows, never the catalogue.
    """

    pool = models.CharField(max_length=120)
    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="+")
    artist = models.ForeignKey(Artist, on_delete=models.CASCADE, related_name="+")
    prior = models.FloatField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["pool", "track"], name="one_pool_entry_per_track")
        ]

    def __str__(self) -> str:
        return f"{self.pool}: {self.track_id}"


class StationPool(models.Model):
    """When a pool was last built and last used (beat refreshes only pools in use)."""

    key = models.CharField(max_length=120, primary_key=True)
    refreshed_at = models.DateTimeField()
    used_at = models.DateTimeField()
    size = models.IntegerField(default=0)

    def __str__(self) -> str:
        return self.key
