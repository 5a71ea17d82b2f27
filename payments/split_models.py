"""Splits: who shares an artist's part of a track's or a release's sales, in basis points.

Kept apart from the ledger's models; payments/models.py imports them, so they are this app's.
"""

from django.db import models
from django.db.models import Q

from artists.models import Artist


class Split(models.Model):
    """One party's share of a track's or a release's artist part (10000 basis points = 100 %).

    A work's splits sum to 10000 (payments/splits.py checks it); a work without splits pays its
    whole artist part to its uploader. They change only when every party has accepted a
    proposal (credits/services.py)."""

    track = models.ForeignKey(
        "tracks.Track", null=True, blank=True, on_delete=models.CASCADE, related_name="splits"
    )
    release = models.ForeignKey(
        "tracks.Release", null=True, blank=True, on_delete=models.CASCADE, related_name="splits"
    )
    artist = models.ForeignKey(Artist, on_delete=models.PROTECT, related_name="splits")
    basis_points = models.PositiveIntegerField()
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(track__isnull=False) ^ Q(release__isnull=False),
                name="split_of_a_track_or_a_release",
            ),
            models.CheckConstraint(
                condition=Q(basis_points__gte=1, basis_points__lte=10_000),
                name="split_basis_points_in_range",
            ),
            models.UniqueConstraint(
                fields=["track", "artist"],
                condition=Q(track__isnull=False),
                name="split_once_per_track",
            ),
            models.UniqueConstraint(
                fields=["release", "artist"],
                condition=Q(release__isnull=False),
                name="split_once_per_release",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.artist}: {self.basis_points / 100:.2f} % of {self.track or self.release}"
