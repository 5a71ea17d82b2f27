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


class FallbackDay(models.Model):
    """How many beacons went to the database on one day (UTC) because Redis was unreachable.

    Kept after those beacons are drained, so an outage stays visible in the admin.
    """

    day = models.DateField(unique=True)
    beacons = models.IntegerField(default=0)

    class Meta:
        ordering = ["-day"]

    def __str__(self) -> str:
        return f"{self.day}: {self.beacons} beacons in the database"


class PlaySession(models.Model):
    """The listening state of one play token (its nonce): every beacon received, by seq.

    Made before its PlayEvent and never deleted without it (both go with their track): the
    drain looks for an event only when the session already existed."""

    nonce = models.CharField(max_length=32, unique=True)
    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="+")
    beacons = models.JSONField(default=list, help_text="[seq, event, position, client ms]")
    user_agent = models.CharField(max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.nonce


class PlayEvent(models.Model):
    """One play token's outcome: the raw event every rollup is computed from.

    `counted` is decided once, when 30 s (or the track) is heard. The artist and release are
    copied from the track when the event is created, so rollups never join tracks. On
    PostgreSQL the table is partitioned by month of `started_at` (migration 0004), so the
    nonce's uniqueness is kept by PlaySession, whose row the drain locks first.
    """

    nonce = models.CharField(max_length=32, db_index=True)
    track = models.ForeignKey(
        Track, on_delete=models.CASCADE, db_constraint=False, related_name="play_events"
    )
    release_id = models.IntegerField(null=True, blank=True)
    artist_id = models.IntegerField()
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
        indexes = [
            models.Index(fields=["track", "listener_key", "counted_at"]),
            # The drain's per-IP daily cap.
            models.Index(fields=["ip_key", "counted_at"], name="playevent_ip_counted"),
        ]

    def __str__(self) -> str:
        return (
            f"{self.track} · {self.listener_key} · {'counted' if self.counted else 'not counted'}"
        )


class Scope(models.TextChoices):
    TRACK = "t", "Track"
    RELEASE = "r", "Release"
    ARTIST = "a", "Artist"


class Grain(models.TextChoices):
    HOUR = "h", "Hour"
    DAY = "d", "Day"
    MONTH = "m", "Month"  # long periods sum 12 month rows, not 365 day rows


class PlayRollup(models.Model):
    """Play counts of one track, release or artist in one hour or day (UTC), from one source.

    Maintained by the drain as deltas of each event's contribution (analytics/rollups.py), and
    rebuilt from PlayEvent by `manage.py rebuild_rollups`: both give the same numbers.
    """

    scope = models.CharField(max_length=1, choices=Scope.choices)
    scope_id = models.IntegerField()
    grain = models.CharField(max_length=1, choices=Grain.choices)
    bucket = models.DateTimeField()
    source = models.CharField(max_length=16, choices=Source.choices)
    streams = models.IntegerField(default=0, help_text="Started and not flagged.")
    plays = models.IntegerField(default=0, help_text="Counted: 30 s (or the track) heard.")
    complete = models.IntegerField(default=0)
    partial = models.IntegerField(default=0)
    skip = models.IntegerField(default=0)
    early_skips = models.IntegerField(default=0, help_text="Skipped before counting.")
    heard_seconds = models.FloatField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "scope_id", "grain", "bucket", "source"], name="one_rollup_row"
            )
        ]

    def __str__(self) -> str:
        return (
            f"{self.scope}{self.scope_id} {self.grain} {self.bucket:%Y-%m-%d %H:00} {self.source}"
        )


class ReferrerRollup(models.Model):
    """Plays per day that came through one playlist (ref: its public id) or one embedding
    site (ref: scheme://host), for a track, release or artist."""

    PLAYLIST, SITE = "playlist", "site"

    scope = models.CharField(max_length=1, choices=Scope.choices)
    scope_id = models.IntegerField()
    day = models.DateField()
    kind = models.CharField(max_length=8, choices=[(PLAYLIST, "Playlist"), (SITE, "Website")])
    ref = models.CharField(max_length=200)
    streams = models.IntegerField(default=0)
    plays = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "scope_id", "day", "kind", "ref"], name="one_referrer_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.scope}{self.scope_id} {self.day} {self.ref}"


class ListenerDay(models.Model):
    """One listener with a counted play of a track, release or artist on one day (UTC)."""

    scope = models.CharField(max_length=1, choices=Scope.choices)
    scope_id = models.IntegerField()
    day = models.DateField()
    listener_key = models.CharField(max_length=40)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "scope_id", "day", "listener_key"], name="one_listener_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.scope}{self.scope_id} {self.day} {self.listener_key}"


class ListenerSketch(models.Model):
    """A HyperLogLog sketch of the listeners of a track, release or artist on one day (UTC).

    PostgreSQL only (the embedded default keeps ListenerDay, exact): 4,096 one-byte registers
    (analytics/sketches.py); a range's listeners are the union of its days' sketches.
    """

    scope = models.CharField(max_length=1, choices=Scope.choices)
    scope_id = models.IntegerField()
    day = models.DateField()
    registers = models.BinaryField(default=b"")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "scope_id", "day"], name="one_sketch_day")
        ]

    def __str__(self) -> str:
        return f"{self.scope}{self.scope_id} {self.day}"


class Metric(models.TextChoices):
    LISTENERS = "listeners", "Listeners"
    FOLLOWS = "follows", "New followers"
    SAVES = "saves", "Saves"
    PLAYLIST_ADDS = "playlist_adds", "Playlist adds"


class DailyCount(models.Model):
    """A per-day number for a track, release or artist: listeners, follows, saves, adds.

    Follows, saves and playlist adds are counted on the day they were made, for as long as
    they last (an unfollow takes its follow back out of its day), so re-counting them from
    the tables they live in gives the same numbers.
    """

    scope = models.CharField(max_length=1, choices=Scope.choices)
    scope_id = models.IntegerField()
    day = models.DateField()
    metric = models.CharField(max_length=16, choices=Metric.choices)
    value = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "scope_id", "metric", "day"], name="one_daily_count"
            )
        ]

    def __str__(self) -> str:
        return f"{self.scope}{self.scope_id} {self.day} {self.metric}={self.value}"


class SegmentSnapshot(models.Model):
    """Listeners of the 28 UTC days ending `day`, by how many of those days they listened
    (analytics/segments.py): computed once per subject and day, read by the dashboard."""

    scope = models.CharField(max_length=1, choices=Scope.choices)
    scope_id = models.IntegerField()
    day = models.DateField()
    super_listeners = models.IntegerField(default=0)
    moderate_listeners = models.IntegerField(default=0)
    light_listeners = models.IntegerField(default=0)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "scope_id", "day"], name="one_segment_day")
        ]

    def __str__(self) -> str:
        return f"{self.scope}{self.scope_id} {self.day}"
