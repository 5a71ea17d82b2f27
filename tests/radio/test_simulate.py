"""The demo's radio listening (seed_demo): its radio plays reach analytics like real ones."""

import pytest
from django.db.models import Sum

from analytics.models import Grain, PlayEvent, PlayRollup, Scope, Source
from radio.models import ArtistExposure, RadioPlay
from radio.simulate import simulate_radio
from tests.factories import ArtistFactory, TrackFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _database_buffer(settings):
    settings.REDIS_URL = ""  # beacons buffered in the database, drained by the simulation


def test_the_demos_radio_plays_are_heard_and_counted(db):
    for n in range(4):
        artist = ArtistFactory()
        for _ in range(2):
            TrackFactory(artist=artist, duration=60.0 + 40 * n, renditions=False)

    made = simulate_radio(commenters=[], sessions=5, seed=3)

    radio = PlayRollup.objects.filter(scope=Scope.TRACK, grain=Grain.DAY, source=Source.RADIO)
    sums = radio.aggregate(streams=Sum("streams"), plays=Sum("plays"), heard=Sum("heard_seconds"))
    events = PlayEvent.objects.filter(source=Source.RADIO)
    # Every radio play was started in the player (source radio); those heard 30 s counted.
    assert made == RadioPlay.objects.count() == sums["streams"] == events.count() > 0
    assert sums["plays"] == events.filter(counted=True).count() > 0
    # The fairness bonus and the exposure report read the same seconds heard.
    exposed = ArtistExposure.objects.aggregate(heard=Sum("heard_seconds"))["heard"]
    assert exposed == pytest.approx(sums["heard"]) and exposed > 0
