"""The beacon endpoint: validate, buffer, answer 204; anything else is a 400 and buffers nothing."""

import json
import socket

import pytest
from django.urls import reverse

from analytics import buffer
from analytics.models import BufferedBeacon, PlayEvent, StreamStart
from tests.factories import TrackFactory

pytestmark = pytest.mark.django_db
UA = "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0"


@pytest.fixture
def track():
    return TrackFactory(duration=200.0)


def start(client, track, **params):
    url = reverse("tracks:track_play", args=[track.public_id])
    return client.get(url, {"start": "1", **params}).json()["play_token"]


def send(client, body, **headers):
    data = body if isinstance(body, bytes | str) else json.dumps(body)
    return client.post(
        reverse("beacon"), data, content_type="text/plain", HTTP_USER_AGENT=UA, **headers
    )


def beacon(token, seq=0, event="start", position=0, at=1_000, **extra):
    return {"token": token, "seq": seq, "event": event, "position": position, "at": at, **extra}


def test_starting_a_stream_returns_a_play_token_and_still_records_the_start(client, track):
    token = start(client, track, source="search")
    assert isinstance(token, str) and len(token) < 400
    assert StreamStart.objects.get().source == "search"
    url = reverse("tracks:track_play", args=[track.public_id])
    assert client.get(url).json()["play_token"] is None  # metadata only: no token


def test_a_valid_beacon_is_buffered_and_answered_with_204(client, track):
    response = send(client, beacon(start(client, track)))
    assert response.status_code == 204
    assert BufferedBeacon.objects.count() == 1
    payload = BufferedBeacon.objects.get().payload
    assert payload["event"] == "start" and payload["ua"] == UA
    assert "127.0.0.1" not in json.dumps(payload)  # only hashed keys, never the raw IP


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"\xff\xfe",
        "[1, 2]",
        {"seq": 0, "event": "start", "position": 0, "at": 0},  # no token
        "x" * 3000,  # oversized
    ],
    ids=["malformed", "not-utf8", "not-an-object", "no-token", "oversized"],
)
def test_malformed_beacons_are_refused(client, body):
    response = send(client, body)
    assert response.status_code == 400
    assert "error" in response.json()
    assert not BufferedBeacon.objects.exists()


@pytest.mark.parametrize(
    "change",
    [
        {"seq": 10_001},
        {"seq": -1},
        {"seq": "3"},
        {"seq": True},
        {"event": "<script>alert(1)</script>"},
        {"position": 206},  # past duration + 5 s
        {"position": -1},
        {"position": 1e308},
        {"at": "now"},
        {"extra": "field"},
    ],
)
def test_beacons_out_of_range_are_refused(client, track, change):
    response = send(client, {**beacon(start(client, track)), **change})
    assert response.status_code == 400
    assert not BufferedBeacon.objects.exists()


def test_a_forged_token_is_refused(client, track):
    token = start(client, track)
    assert send(client, beacon(token[:-2] + "xx")).status_code == 400
    assert send(client, beacon("eyJ0IjoxfQ:forged:sig")).status_code == 400
    assert not BufferedBeacon.objects.exists()


def test_a_token_cannot_report_for_another_track(client, track):
    other = TrackFactory(duration=300.0)
    token = start(client, track)
    response = send(client, beacon(token, track=other.public_id))
    assert response.status_code == 400
    assert response.json() == {"error": "Beacon is for another track."}
    # The position is checked against the token's track (200 s), not the longer one.
    assert send(client, beacon(token, position=250)).status_code == 400
    assert not BufferedBeacon.objects.exists()


def test_an_expired_token_is_refused(client, track, settings):
    token = start(client, track)
    settings.PLAY_TOKEN_TTL = -1
    response = send(client, beacon(token))
    assert response.json() == {"error": "Play token expired."}
    assert not BufferedBeacon.objects.exists()


def test_only_post_is_allowed(client):
    assert client.get(reverse("beacon")).status_code == 405


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_with_redis_down_beacons_fall_back_to_the_database_and_are_counted(client, track, settings):
    token = start(client, track)
    settings.REDIS_URL = f"redis://127.0.0.1:{closed_port()}/14"
    assert send(client, beacon(token)).status_code == 204
    assert buffer.fallback_count() == 1
    assert BufferedBeacon.objects.get().via_fallback


def test_with_redis_up_beacons_go_to_the_redis_stream_not_the_database(client, track, redis_buffer):
    token = start(client, track)
    assert send(client, beacon(token)).status_code == 204
    assert not BufferedBeacon.objects.exists()
    assert not PlayEvent.objects.exists()  # the beat worker drains, not the request
    assert [entry["event"] for entry in buffer.take(10).entries] == ["start"]


def test_embedded_default_counts_a_play_without_a_worker(
    client, track, django_capture_on_commit_callbacks, issued_a_minute_ago
):
    token = start(client, track)
    with django_capture_on_commit_callbacks(execute=True):
        send(client, beacon(token, 0, "start", 0, 1_000))
        send(client, beacon(token, 1, "progress", 10, 11_000))
        send(client, beacon(token, 2, "progress", 20, 21_000))
        send(client, beacon(token, 3, "pause", 31, 32_000))
    event = PlayEvent.objects.get()
    assert (event.counted, event.heard_seconds, event.completion) == (True, 31, "partial")
    assert not BufferedBeacon.objects.exists()


def test_a_forged_clock_hears_no_more_than_the_server_saw_pass(
    client, track, django_capture_on_commit_callbacks
):
    token = start(client, track)  # issued now; the beacons claim 31 s at once
    with django_capture_on_commit_callbacks(execute=True):
        send(client, beacon(token, 0, "start", 0, 0))
        send(client, beacon(token, 1, "progress", 31, 31_000))
    event = PlayEvent.objects.get()
    assert event.counted is False
    assert event.heard_seconds < 3


def test_the_how_we_count_page_states_the_rules_and_is_linked_from_every_page(client):
    page = client.get(reverse("how_we_count"))
    assert page.status_code == 200
    assert b"30 seconds" in page.content and b"Seeking" in page.content
    assert reverse("how_we_count").encode() in client.get("/").content


def test_checking_a_beacon_needs_no_database_query(
    client, track, redis_buffer, django_assert_num_queries
):
    token = start(client, track)
    with django_assert_num_queries(0):
        assert send(client, beacon(token)).status_code == 204
    assert buffer.waiting() == 1


def test_tokens_issued_before_they_carried_the_track_are_checked_against_the_database(
    client, track
):
    from django.core import signing

    from analytics import tokens

    claims = tokens.read_play_token(start(client, track))
    old = signing.dumps({k: v for k, v in claims.items() if k not in "pd"}, salt=tokens.SALT,
                        compress=True)  # fmt: skip
    assert send(client, beacon(old, position=250)).status_code == 400  # past 200 s + 5
    assert send(client, beacon(old, position=150)).status_code == 204
