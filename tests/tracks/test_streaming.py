"""The embedded default's stream view: signed links, HTTP Range (seeking) and nginx hand-off."""

import time
from unittest import mock

import pytest
from django.core import signing
from django.urls import reverse

from tests.factories import TrackFactory
from tracks import services, streaming
from tracks.models import Rendition


@pytest.fixture
def rendition(artist):
    track = TrackFactory(artist=artist)
    return track.renditions.get(format=Rendition.Format.MP3)


@pytest.fixture
def content(rendition) -> bytes:
    with rendition.file.open("rb") as handle:
        return handle.read()


@pytest.fixture
def link(client, rendition) -> str:
    play = client.get(reverse("tracks:track_play", args=[rendition.track.public_id]))
    return next(s["src"] for s in play.json()["sources"] if s["type"] == "audio/mpeg")


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_a_request_without_range_gets_the_whole_file_and_learns_it_can_seek(client, link, content):
    response = client.get(link)

    assert response.status_code == 200
    assert response["Accept-Ranges"] == "bytes"
    assert response["Content-Type"] == "audio/mpeg"
    assert body(response) == content


def test_a_range_gets_exactly_those_bytes(client, link, content):
    response = client.get(link, headers={"Range": "bytes=0-99"})

    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes 0-99/{len(content)}"
    assert response["Content-Length"] == "100"
    assert body(response) == content[:100]


def test_an_open_ended_range_runs_to_the_end_of_the_file(client, link, content):
    response = client.get(link, headers={"Range": "bytes=100-"})

    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes 100-{len(content) - 1}/{len(content)}"
    assert body(response) == content[100:]


def test_a_suffix_range_gets_the_last_bytes(client, link, content):
    response = client.get(link, headers={"Range": "bytes=-50"})

    assert response.status_code == 206
    assert (
        response["Content-Range"] == f"bytes {len(content) - 50}-{len(content) - 1}/{len(content)}"
    )
    assert body(response) == content[-50:]


def test_a_range_past_the_end_is_clipped_to_the_file(client, link, content):
    response = client.get(link, headers={"Range": f"bytes=10-{len(content) * 2}"})

    assert response.status_code == 206
    assert body(response) == content[10:]


@pytest.mark.parametrize(
    "header",
    ["bytes=999999-", "bytes=50-10", "bytes=-0", "bytes=-", "lines=0-10", "bytes=a-b", "garbage"],
)
def test_a_range_that_cannot_be_satisfied_gets_416_with_the_size(client, link, content, header):
    response = client.get(link, headers={"Range": header})

    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{len(content)}"


def test_a_tampered_link_is_not_found(client, link):
    token = link.removeprefix("/stream/")
    tampered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")

    response = client.get(reverse("tracks:stream", args=[tampered]))

    assert response.status_code == 404


def test_a_link_for_another_rendition_cannot_be_forged_without_the_key(client, rendition):
    forged = signing.dumps({"r": rendition.id, "u": 0}, salt="some.other.salt", compress=True)

    assert client.get(reverse("tracks:stream", args=[forged])).status_code == 404


def test_an_expired_link_is_not_found(client, rendition, settings):
    settings.STREAM_URL_TTL = 3600
    issued_long_ago = time.time() - 3601
    with mock.patch("django.core.signing.time.time", return_value=issued_long_ago):
        old = streaming.stream_sources(track=rendition.track, user=None)[0]["src"]
    fresh = streaming.stream_sources(track=rendition.track, user=None)[0]["src"]

    assert client.get(old).status_code == 404
    assert client.get(fresh).status_code == 200


def test_behind_nginx_django_names_the_file_and_sends_no_bytes(client, link, rendition, settings):
    settings.MEDIA_ACCEL_PREFIX = "/protected-audio/"

    response = client.get(link)

    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/protected-audio/{rendition.file.name}"
    assert response["Content-Type"] == "audio/mpeg"
    assert response.content == b""


def test_behind_nginx_a_taken_down_track_is_still_refused(
    client, link, rendition, admin_user, settings
):
    settings.MEDIA_ACCEL_PREFIX = "/protected-audio/"
    services.take_down_track(track=rendition.track, by=admin_user, reason="Copyright claim")

    response = client.get(link)

    assert response.status_code == 404
    assert "X-Accel-Redirect" not in response
