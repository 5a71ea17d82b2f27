"""Input that once made a 500: each is now a clear 4xx (or harmlessly cleaned)."""

import json

import pytest
from django.test import Client

from analytics import services, tokens
from analytics.models import PlayEvent
from tests.factories import TrackFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def track():
    return TrackFactory(duration=200.0)


def token_for(client, track, **params):
    query = {"start": "1", **params}
    response = client.get(f"/track/{track.public_id}/play", query)
    assert response.status_code == 200
    return response.json()["play_token"]


@pytest.mark.parametrize("field", ["position", "at"])
def test_a_number_too_large_for_a_float_is_refused(client, track, field):
    beacon = {"token": token_for(client, track), "seq": 0, "event": "start", "position": 0,
              "at": 1000, field: 10**400}  # fmt: skip
    response = client.post("/beacon", json.dumps(beacon), content_type="text/plain")
    assert response.status_code == 400
    assert "out of range" in response.json()["error"]


def test_control_characters_in_context_and_user_agent_are_dropped(
    client, track, issued_a_minute_ago
):
    token = token_for(client, track, source="playlist", context="PL\x00\x07one")
    for seq, (event, position, at) in enumerate([("start", 0, 0), ("pause", 31, 31_000)]):
        beacon = {"token": token, "seq": seq, "event": event, "position": position, "at": at}
        response = client.post("/beacon", json.dumps(beacon), content_type="text/plain",
                               headers={"User-Agent": "Mozilla/5.0\x00 Firefox/140.0"})  # fmt: skip
        assert response.status_code == 204
    services.drain_beacons()
    event = PlayEvent.objects.get()
    assert (event.context, event.counted) == ("PLone", True)


def test_a_custom_range_before_2000_is_refused(client, django_user_model):
    from tests.factories import ArtistFactory

    artist = ArtistFactory()
    client.force_login(artist.user)
    for url in ("/studio/stats/", "/studio/stats/daily.csv", "/studio/stats/totals.csv"):
        response = client.get(url, {"period": "custom", "start": "0001-01-01", "end": "0001-01-02"})
        assert response.status_code == 400
        assert b"from 2000 on" in response.content


def test_behind_a_proxy_each_visitor_has_their_own_listener_key(track, settings):
    settings.TRUSTED_PROXY_COUNT = 1  # nginx in front (docker-compose)
    keys = []
    for visitor in ("203.0.113.1", "198.51.100.7", "203.0.113.1"):
        browser = Client(
            REMOTE_ADDR="172.18.0.5",  # every request arrives from nginx
            headers={"X-Forwarded-For": f"10.9.9.9, {visitor}", "User-Agent": "Firefox/140.0"},
        )  # (the first X-Forwarded-For entry is the client's own claim: ignored)
        keys.append(tokens.read_play_token(token_for(browser, track))["l"])
    assert keys[0] != keys[1]
    assert keys[0] == keys[2]
