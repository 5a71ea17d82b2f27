"""How much each artist has been heard lately: the radio's exposure bonus reads it, and the
admin's exposure report compares it with what the rest of the site plays."""

from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.db.models import Max, Q, Sum
from django.utils import timezone

from analytics.models import Grain, PlayRollup, Scope, Source
from artists.models import Artist

from .models import ArtistExposure

WINDOW = timedelta(days=28)


def refresh_exposure(*, now=None) -> int:
    """Rewrite ArtistExposure for the last 28 days, from analytics' daily rollups in one
    query: seconds heard on the radio (listener-seconds, source radio: the same figure as the
    artists' "hours heard") and counted plays from everywhere but the radio. Returns the
    number of artists."""
    now = now or timezone.now()
    since = now - WINDOW
    radio = Q(source=Source.RADIO)
    figures = {
        artist_id: (heard or 0.0, plays or 0)
        for artist_id, heard, plays in PlayRollup.objects.filter(
            scope=Scope.ARTIST, grain=Grain.DAY, bucket__gte=since
        )
        .values_list("scope_id")
        .annotate(heard=Sum("heard_seconds", filter=radio), plays=Sum("plays", filter=~radio))
        .values_list("scope_id", "heard", "plays")
    }
    rows = [
        ArtistExposure(
            artist_id=artist_id,
            heard_seconds=figures[artist_id][0],
            organic_plays=figures[artist_id][1],
        )
        for artist_id in Artist.objects.filter(pk__in=figures.keys()).values_list("pk", flat=True)
    ]
    with transaction.atomic():
        ArtistExposure.objects.all().delete()
        ArtistExposure.objects.bulk_create(rows)
    return len(rows)


# --- The exposure report ----------------------------------------------------------------------

DECILES = 10


@dataclass
class DecileRow:
    decile: int  # 1: the artists with the fewest organic plays
    artists: int
    fewest: int  # organic plays of its quietest artist
    most: int  # … and of its busiest
    organic_plays: int
    heard_seconds: float  # listener-seconds heard on the radio
    organic_share: float  # percent of all organic plays, one decimal
    heard_share: float  # percent of all seconds heard on the radio, one decimal

    @property
    def hours_heard(self) -> float:
        return self.heard_seconds / 3600


def exposure_report() -> list[DecileRow]:
    """Artists in deciles by counted plays outside the radio, with each decile's share of
    those plays and of the hours heard on the radio: the 28-day figures refresh_exposure
    keeps (hourly), so the report shows what the picker sees.

    Artists counted: everyone with a track the radio may play, or with plays or time heard
    on the radio in the window. Deciles are as equal as can be, the first ones one artist
    larger when the count does not divide by ten (SQL's NTILE); ties in plays are split by
    artist id.
    """
    from .picking import radio_tracks  # the picker reads this module's figures

    figures = {
        pk: (plays, seconds)
        for pk, plays, seconds in ArtistExposure.objects.values_list(
            "artist_id", "organic_plays", "heard_seconds"
        )
    }
    eligible = set(radio_tracks().order_by().values_list("artist_id", flat=True).distinct())
    ranked = sorted(
        (figures.get(pk, (0, 0.0))[0], pk, figures.get(pk, (0, 0.0))[1])
        for pk in eligible | figures.keys()
    )
    total_plays = sum(plays for plays, _, _ in ranked)
    total_heard = sum(seconds for _, _, seconds in ranked)
    size, larger = divmod(len(ranked), DECILES)
    rows, start = [], 0
    for decile in range(1, DECILES + 1):
        members = ranked[start : start + size + (decile <= larger)]
        start += len(members)
        if not members:
            continue
        plays = sum(p for p, _, _ in members)
        seconds = sum(s for _, _, s in members)
        rows.append(
            DecileRow(
                decile=decile,
                artists=len(members),
                fewest=members[0][0],
                most=members[-1][0],
                organic_plays=plays,
                heard_seconds=seconds,
                organic_share=round(100 * plays / total_plays, 1) if total_plays else 0.0,
                heard_share=round(100 * seconds / total_heard, 1) if total_heard else 0.0,
            )
        )
    return rows


def last_refreshed():
    """When refresh_exposure last ran (None before its first run)."""
    return ArtistExposure.objects.aggregate(at=Max("refreshed_at"))["at"]
