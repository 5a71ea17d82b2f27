"""How much each artist has been heard lately: the radio's exposure bonus reads it, and the
admin's exposure report compares it with what the rest of the site plays."""

from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.db.models import F, Max, Sum
from django.utils import timezone

from analytics.models import Grain, PlayRollup, Scope, Source
from artists.models import Artist

from .models import ArtistExposure, RadioPlay

WINDOW = timedelta(days=28)


def refresh_exposure(*, now=None) -> int:
    """Rewrite ArtistExposure for the last 28 days: radio airtime (listener-seconds of radio
    plays) and counted plays from everywhere but the radio. Returns the number of artists."""
    now = now or timezone.now()
    since = now - WINDOW
    airtime = dict(
        RadioPlay.objects.filter(started_at__gte=since)
        .values_list("track__artist_id")
        .annotate(seconds=Sum(F("track__duration")))
        .values_list("track__artist_id", "seconds")
    )
    organic = dict(
        PlayRollup.objects.filter(scope=Scope.ARTIST, grain=Grain.DAY, bucket__gte=since)
        .exclude(source=Source.RADIO)
        .values_list("scope_id")
        .annotate(plays=Sum("plays"))
        .values_list("scope_id", "plays")
    )
    rows = [
        ArtistExposure(
            artist_id=artist_id,
            airtime_seconds=airtime.get(artist_id) or 0.0,
            organic_plays=organic.get(artist_id) or 0,
        )
        for artist_id in Artist.objects.filter(pk__in=airtime.keys() | organic.keys()).values_list(
            "pk", flat=True
        )
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
    airtime_seconds: float
    organic_share: float  # percent of all organic plays, one decimal
    airtime_share: float  # percent of all radio airtime, one decimal

    @property
    def airtime_hours(self) -> float:
        return self.airtime_seconds / 3600


def exposure_report() -> list[DecileRow]:
    """Artists in deciles by counted plays outside the radio, with each decile's share of
    those plays and of radio airtime: the 28-day figures refresh_exposure keeps (hourly), so
    the report shows what the picker sees.

    Artists counted: everyone with a track the radio may play, or with plays or airtime in
    the window. Deciles are as equal as can be, the first ones one artist larger when the
    count does not divide by ten (SQL's NTILE); ties in plays are split by artist id.
    """
    from .picking import radio_tracks  # the picker reads this module's figures

    figures = {
        pk: (plays, seconds)
        for pk, plays, seconds in ArtistExposure.objects.values_list(
            "artist_id", "organic_plays", "airtime_seconds"
        )
    }
    eligible = set(radio_tracks().order_by().values_list("artist_id", flat=True).distinct())
    ranked = sorted(
        (figures.get(pk, (0, 0.0))[0], pk, figures.get(pk, (0, 0.0))[1])
        for pk in eligible | figures.keys()
    )
    total_plays = sum(plays for plays, _, _ in ranked)
    total_airtime = sum(seconds for _, _, seconds in ranked)
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
                airtime_seconds=seconds,
                organic_share=round(100 * plays / total_plays, 1) if total_plays else 0.0,
                airtime_share=round(100 * seconds / total_airtime, 1) if total_airtime else 0.0,
            )
        )
    return rows


def last_refreshed():
    """When refresh_exposure last ran (None before its first run)."""
    return ArtistExposure.objects.aggregate(at=Max("refreshed_at"))["at"]
