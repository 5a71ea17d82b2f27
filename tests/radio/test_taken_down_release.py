"""A release taken down takes its tracks with it: off the radio, off the live schedule, off
track pages and listings (its artist and staff still see them)."""

import random

import pytest
from django.test import Client
from django.utils import timezone

from radio import live, picking
from radio.models import LiveSlot
from tests.factories import ArtistFactory, ReleaseFactory, TrackFactory
from tracks.selectors import listed_tracks

pytestmark = pytest.mark.django_db


def take_down(release):
    release.taken_down_at = timezone.now()
    release.takedown_reason = "Copyright claim"
    release.save()


@pytest.fixture
def release(artist):
    return ReleaseFactory(artist=artist, title="Tides")


@pytest.fixture
def on_release(release):
    return [
        TrackFactory(artist=release.artist, release=release, title=f"Tide {n}", renditions=False)
        for n in range(3)
    ]


def test_a_taken_down_releases_tracks_are_never_picked_even_from_an_older_pool(on_release):
    picking.refresh_pool("discovery")  # built while the release was up
    assert picking.pick_track("discovery", rng=random.Random(1)) in on_release

    take_down(on_release[0].release)

    assert picking.pick_track("discovery", rng=random.Random(1)) is None
    assert list(picking.scored_pool("discovery")) == []
    assert not picking.pool_candidates("discovery").exists()


def test_a_single_and_a_track_on_a_live_release_still_play(on_release):
    single = TrackFactory(release=None, renditions=False)
    other = TrackFactory(release=ReleaseFactory(), renditions=False)
    take_down(on_release[0].release)

    picking.refresh_pool("discovery")
    picks = {picking.pick_track("discovery", rng=random.Random(seed)) for seed in range(20)}

    assert picks == {single, other}
    assert set(listed_tracks()) == {single, other}


def test_the_live_station_cuts_a_taken_down_release_from_its_schedule(on_release):
    others = [
        TrackFactory(artist=ArtistFactory(), duration=240.0, renditions=False) for _ in range(20)
    ]
    now = timezone.now().replace(microsecond=0)
    live.ensure_schedule(now=now, rng=random.Random(3))
    take_down(on_release[0].release)

    live.ensure_schedule(now=now, rng=random.Random(3))

    upcoming = LiveSlot.objects.filter(ends_at__gt=now)
    assert upcoming.exists()
    assert {slot.track_id for slot in upcoming} <= {t.pk for t in others}


@pytest.mark.parametrize(
    "who, page, play", [("anonymous", 404, 404), ("fan", 404, 404), ("owner", 200, 200)]
)
def test_track_pages_of_a_taken_down_release(on_release, fan, who, page, play):
    track = on_release[0]
    take_down(track.release)
    client = Client()
    if who == "fan":
        client.force_login(fan)
    elif who == "owner":
        client.force_login(track.artist.user)

    assert client.get(f"/track/{track.public_id}/{track.slug}/").status_code == page
    assert client.get(f"/track/{track.public_id}/play").status_code == play


def test_a_taken_down_release_cannot_seed_a_radio_station(on_release):
    take_down(on_release[0].release)
    response = Client().post(
        "/radio/start",
        {"kind": "track", "track": on_release[0].public_id},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 404
