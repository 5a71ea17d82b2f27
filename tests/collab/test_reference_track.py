"""A call's reference track: a private or unlisted upload heard by the poster and the call's
applicants, and by nobody else — and no wider access to the track anywhere else."""

import pytest
from django.test import Client

from tests.factories import ArtistFactory, TrackFactory
from tracks.models import Visibility

from .factories import ApplicationFactory, CallFactory, signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def reference(poster):
    return TrackFactory(artist=poster, title="Rough Sketch", visibility=Visibility.PRIVATE)


@pytest.fixture
def call(poster, reference):
    return CallFactory(poster=poster, reference_track=reference)


def play(client: Client, call):
    return client.get(f"/collab/calls/{call.id}/reference", HTTP_ACCEPT="application/json")


def test_an_applicant_hears_the_reference_track(call, singer):
    ApplicationFactory(call=call, applicant=singer)
    client = signed_in(singer.user)
    page = client.get(f"/collab/calls/{call.id}/").content.decode()
    assert f'data-src="/collab/calls/{call.id}/reference"' in page

    meta = play(client, call).json()
    streamed = client.get(meta["sources"][0]["src"])

    assert meta["title"] == "Rough Sketch" and meta["play_token"] is None
    assert streamed.status_code == 200
    assert b"".join(streamed.streaming_content) == bytes(range(256)) * 40


def test_the_poster_hears_it_too(call, artist_client):
    meta = play(artist_client, call).json()
    assert artist_client.get(meta["sources"][0]["src"]).status_code == 200


def test_nobody_else_hears_it(call, fan, client):
    for other in (client, signed_in(fan), signed_in(ArtistFactory().user)):
        refused = play(other, call)
        assert refused.status_code == 404
        page = other.get(f"/collab/calls/{call.id}/").content.decode()
        assert 'data-src="/collab/calls/' not in page


def test_an_applicants_stream_link_does_not_play_for_someone_else(call, singer):
    ApplicationFactory(call=call, applicant=singer)
    src = play(signed_in(singer.user), call).json()["sources"][0]["src"]

    assert Client().get(src).status_code == 404
    assert signed_in(ArtistFactory().user).get(src).status_code == 404


def test_applying_does_not_open_the_tracks_own_pages(call, singer, reference):
    ApplicationFactory(call=call, applicant=singer)
    client = signed_in(singer.user)

    assert client.get(f"/track/{reference.public_id}/").status_code == 404
    assert client.get(f"/track/{reference.public_id}/play").status_code == 404


def test_a_taken_down_or_swapped_reference_stops_playing(call, singer, reference, poster):
    from django.utils import timezone

    ApplicationFactory(call=call, applicant=singer)
    client = signed_in(singer.user)
    src = play(client, call).json()["sources"][0]["src"]

    reference.taken_down_at = timezone.now()
    reference.save()
    assert client.get(src).status_code == 404
    assert play(client, call).status_code == 404

    reference.taken_down_at = None
    reference.save()
    call.reference_track = TrackFactory(artist=poster, visibility=Visibility.UNLISTED)
    call.save()
    assert client.get(src).status_code == 404  # the old track's link, not the call's now


def test_a_forged_or_stale_token_is_not_found(call, artist_client):
    assert artist_client.get("/collab/reference/not-a-token").status_code == 404
