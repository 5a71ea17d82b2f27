"""How much each artist has been heard lately: the radio's exposure bonus reads it."""

from datetime import timedelta

from django.db import transaction
from django.db.models import F, Sum
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
