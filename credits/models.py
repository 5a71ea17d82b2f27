"""Credits (who made a track or a release, in which role, confirmed by them) and split proposals
(who shares its sales, accepted by every party before payments.Split changes)."""

from django.db import models
from django.db.models import Q

from artists.models import Artist


class Work(models.Model):
    """A track or a release, exactly one of them (what credits and proposals are about)."""

    track = models.ForeignKey("tracks.Track", null=True, blank=True, on_delete=models.CASCADE)
    release = models.ForeignKey("tracks.Release", null=True, blank=True, on_delete=models.CASCADE)

    class Meta:
        abstract = True

    @property
    def work(self):
        return self.track or self.release

    @property
    def kind(self) -> str:
        return "track" if self.track_id else "release"


class Credit(Work):
    class Role(models.TextChoices):
        MAIN = "main", "Main artist"
        FEATURING = "featuring", "Featuring"
        PRODUCER = "producer", "Producer"
        WRITER = "writer", "Writer"
        VOCALS = "vocals", "Vocals"
        INSTRUMENTS = "instruments", "Instruments"
        MIXING = "mixing", "Mixing"
        MASTERING = "mastering", "Mastering"
        REMIXER = "remixer", "Remixer"

    # How a confirmed credit reads on the track or release page ("feat. Ada", "Produced by Bo").
    PHRASES = {
        Role.MAIN: "With",
        Role.FEATURING: "feat.",
        Role.PRODUCER: "Produced by",
        Role.WRITER: "Written by",
        Role.VOCALS: "Vocals by",
        Role.INSTRUMENTS: "Instruments by",
        Role.MIXING: "Mixed by",
        Role.MASTERING: "Mastered by",
        Role.REMIXER: "Remixed by",
    }

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for their answer"
        CONFIRMED = "confirmed", "Confirmed"
        DECLINED = "declined", "Declined"

    artist = models.ForeignKey(Artist, on_delete=models.CASCADE, related_name="credits")
    role = models.CharField(max_length=12, choices=Role.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        default_related_name = "artist_credits"
        constraints = [
            models.CheckConstraint(
                condition=Q(track__isnull=False) ^ Q(release__isnull=False),
                name="credit_on_a_track_or_a_release",
            ),
            models.UniqueConstraint(
                fields=["track", "artist", "role"],
                condition=Q(track__isnull=False),
                name="credit_once_per_track_role",
            ),
            models.UniqueConstraint(
                fields=["release", "artist", "role"],
                condition=Q(release__isnull=False),
                name="credit_once_per_release_role",
            ),
        ]
        indexes = [models.Index(fields=["artist", "status"])]

    def __str__(self) -> str:
        return f"{self.artist} ({self.get_role_display()}) on {self.work}"

    @property
    def phrase(self) -> str:
        return self.PHRASES[self.role]


class SplitProposal(Work):
    """The uploader's proposed split of a work's artist part. It takes effect (becomes the
    work's payments.Split rows) only once every other party has accepted; rows are never
    deleted, so they are the history of the work's split changes."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for answers"
        ACCEPTED = "accepted", "Accepted by everyone — took effect"
        DECLINED = "declined", "Declined"
        SUPERSEDED = "superseded", "Replaced by a newer proposal"

    proposed_by = models.ForeignKey(Artist, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=200, blank=True, help_text="Why it was decided so.")

    class Meta:
        ordering = ["-created_at", "-id"]
        default_related_name = "split_proposals"
        constraints = [
            models.CheckConstraint(
                condition=Q(track__isnull=False) ^ Q(release__isnull=False),
                name="proposal_for_a_track_or_a_release",
            ),
            # At most one proposal waits per work: a new one supersedes it (services.py).
            models.UniqueConstraint(
                fields=["track"],
                condition=Q(track__isnull=False, status="pending"),
                name="one_pending_proposal_per_track",
            ),
            models.UniqueConstraint(
                fields=["release"],
                condition=Q(release__isnull=False, status="pending"),
                name="one_pending_proposal_per_release",
            ),
        ]

    def __str__(self) -> str:
        return f"Split of {self.work} ({self.status})"


class ProposalShare(models.Model):
    """One party of a proposal: their share (0 for someone the proposal takes out of the split
    in effect, who must agree to that too) and their answer."""

    class Answer(models.TextChoices):
        PENDING = "pending", "Not answered yet"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"

    proposal = models.ForeignKey(SplitProposal, on_delete=models.CASCADE, related_name="shares")
    artist = models.ForeignKey(Artist, on_delete=models.CASCADE, related_name="+")
    basis_points = models.PositiveIntegerField()
    position = models.PositiveSmallIntegerField(default=0)
    answer = models.CharField(max_length=10, choices=Answer.choices, default=Answer.PENDING)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "artist"], name="one_share_per_party"),
            models.CheckConstraint(
                condition=Q(basis_points__lte=10_000), name="share_at_most_everything"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.artist}: {self.basis_points / 100:.2f} %"

    @property
    def percent(self) -> str:
        return f"{self.basis_points / 100:g}"
