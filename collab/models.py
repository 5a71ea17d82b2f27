import datetime

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from artists.skills import skill_labels

# After a call closes (by its poster, or at its deadline) it takes no new answers, but its
# poster may still shortlist, accept or decline for this long; then the applicants still
# waiting are told, and the reference track stops playing for them.
DECISION_GRACE = datetime.timedelta(days=14)


def today() -> datetime.date:
    """Deadlines are UTC days: a call is open until the end of its deadline day."""
    return timezone.now().date()


class Call(models.Model):
    """An artist looking for collaborators: "a vocalist for a downtempo track, remote, paid"."""

    class Compensation(models.TextChoices):
        PAID = "paid", "Paid"
        REVENUE_SHARE = "share", "Revenue share"
        FREE = "free", "Unpaid (for the love of it)"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    poster = models.ForeignKey("artists.Artist", on_delete=models.CASCADE, related_name="calls")
    title = models.CharField(max_length=120)
    description = models.TextField(max_length=4000)
    skills = models.JSONField(default=list, help_text="Slugs from artists/skills.py.")
    genre = models.CharField(max_length=30, blank=True, help_text="Normalised (lower case).")
    remote = models.BooleanField(default=True)
    place = models.CharField(max_length=100, blank=True)
    compensation = models.CharField(max_length=10, choices=Compensation.choices)
    deadline = models.DateField(help_text="Last UTC day to apply.")
    # One of the poster's own private or unlisted uploads, heard only by the poster and the
    # call's applicants, through collab/reference.py (never through the track's own pages).
    reference_track = models.ForeignKey(
        "tracks.Track", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Set when the applicants still waiting at the end of the grace period were told: each is
    # told exactly once, however often the beat runs.
    waiting_told_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "deadline"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(remote=True) | ~Q(place=""), name="call_remote_or_a_place"
            ),
            # A double-submitted form makes one call, not two.
            models.UniqueConstraint(
                fields=["poster", "title"],
                condition=Q(status="open"),
                name="call_one_open_per_title",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("collab:call", kwargs={"call_id": self.id})

    @property
    def is_open(self) -> bool:
        """Open for applications: not closed, and its deadline day has not ended."""
        return self.status == self.Status.OPEN and self.deadline >= today()

    @property
    def decisions_until(self) -> datetime.datetime | None:
        """When the poster's grace period to decide ends (None while the call is open)."""
        if self.status != self.Status.CLOSED or self.closed_at is None:
            return None
        return self.closed_at + DECISION_GRACE

    @property
    def takes_decisions(self) -> bool:
        """The poster may still shortlist, accept or decline: the call is not closed (even
        past its deadline, until the beat closes it), or closed less than DECISION_GRACE ago
        and the waiting applicants have not been told yet."""
        if self.status == self.Status.OPEN:
            return True
        return (
            self.waiting_told_at is None
            and self.decisions_until is not None
            and timezone.now() < self.decisions_until
        )

    @property
    def skill_labels(self) -> list[str]:
        return skill_labels(self.skills)

    @property
    def where(self) -> str:
        if self.remote and self.place:
            return f"Remote or {self.place}"
        return "Remote" if self.remote else self.place


class Application(models.Model):
    """An artist's answer to a call: a message and up to five of their own listed tracks."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for an answer"
        SHORTLISTED = "shortlisted", "Shortlisted"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"

    UNDECIDED = (Status.PENDING, Status.SHORTLISTED)

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="applications")
    applicant = models.ForeignKey(
        "artists.Artist", on_delete=models.CASCADE, related_name="applications"
    )
    message = models.TextField(max_length=3000)
    tracks = models.ManyToManyField("tracks.Track", blank=True, related_name="+")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["call", "applicant"], name="apply_once_per_call")
        ]
        indexes = [models.Index(fields=["applicant", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.applicant} → {self.call}"
