"""Mood stations: how many tracks each mood has, and what an empty one says."""

import pytest
from django.test import Client

from radio import services, stations
from radio.models import StationKind
from tests.factories import TrackFactory
from tracks.models import Visibility

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}


def test_each_mood_counts_its_radio_tracks_once_and_empty_moods_count_zero():
    TrackFactory(tags=["calm", "piano"], renditions=False)
    TrackFactory(tags=["Calm", "dreamy"], renditions=False)  # typed by hand, before lower-casing
    TrackFactory(genre="Calm", renditions=False)  # a genre is not a mood tag
    TrackFactory(tags=["calm"], visibility=Visibility.PRIVATE, renditions=False)
    TrackFactory(tags=["dreamy"], radio_enabled=False, renditions=False)

    counts = dict(stations.mood_counts())

    assert list(counts) == list(services.MOODS)
    assert counts["calm"] == 2
    assert counts["dreamy"] == 1
    assert sum(counts.values()) == 3


def test_a_mood_with_no_tracks_says_so_not_that_it_played_everything():
    TrackFactory(tags=["happy"], renditions=False)
    client = Client()
    started = client.post("/radio/start", {"kind": "mood", "seed": "calm"}, **JSON)

    answer = client.post(started.json()["next"], **JSON)

    assert answer.status_code == 409
    assert answer.json() == {
        "error": "No tracks with this mood yet. Try another mood, or come back when artists "
        "have tagged their music with it.",
        "empty": True,
    }


def test_a_mood_station_that_played_its_only_track_says_it_played_everything(rng):
    TrackFactory(tags=["calm"], renditions=False)
    session = services.start_station(
        listener_key="a:moods", user=None, kind=StationKind.MOOD, seed="calm"
    )
    services.next_track(session=session, rng=rng)

    with pytest.raises(services.EmptyStation, match="played everything it has for now"):
        services.next_track(session=session, rng=rng)


def test_an_empty_genre_station_says_it_has_no_tracks(rng):
    TrackFactory(genre="Folk", renditions=False)
    session = services.start_station(
        listener_key="a:moods", user=None, kind=StationKind.TAG, seed="zydeco"
    )

    with pytest.raises(services.EmptyStation, match=r"^No tracks with this genre or tag yet"):
        services.next_track(session=session, rng=rng)


def test_the_radio_home_greys_out_empty_moods(client):
    TrackFactory(tags=["calm"], renditions=False)

    page = client.get("/radio/").content.decode()

    assert 'value="calm">Calm <span class="muted">1</span>' in page
    assert page.count(" disabled ") == len(services.MOODS) - 1
    assert 'value="happy"' not in page
