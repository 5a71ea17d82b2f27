"""From a browser's upload straight to S3, through a real worker, to seeking in the stream.

The test client plays the browser's part on our own endpoints; `requests` plays it on S3.
"""

import time

import pytest
import requests
from django.conf import settings
from django.urls import reverse

from tests.audio_files import audio_file, cut_short
from tracks import services
from tracks.models import Rendition, Track

pytestmark = [
    pytest.mark.fullstack,
    pytest.mark.django_db(transaction=True),  # committed rows, so the worker can see them
    pytest.mark.usefixtures("celery_worker"),
]


def upload_through_browser(client, data: bytes, filename: str) -> dict:
    """What the upload page's script does: start, POST the file to S3, complete."""
    start = client.post(reverse("tracks:upload_start"), {"filename": filename, "size": len(data)})
    assert start.status_code == 201, start.content
    target = start.json()
    assert target["direct"] is True
    sent = requests.post(
        target["url"], data=target["fields"], files={"file": (filename, data)}, timeout=30
    )
    assert sent.status_code in (200, 201, 204), sent.text
    complete = client.post(target["complete"])
    assert complete.status_code == 201, complete.content
    return complete.json()


def processed(public_id: str, timeout: float = 60) -> Track:
    """The track once the worker has finished with it (ready or failed)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        track = Track.objects.get(public_id=public_id)
        if track.status != Track.Status.PROCESSING:
            return track
        time.sleep(0.25)
    pytest.fail(f"track {public_id} was still processing after {timeout:.0f} s")


def bucket_keys(s3, prefix: str = "") -> set[str]:
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=settings.S3_BUCKET, Prefix=prefix)
    return {item["Key"] for page in pages for item in page.get("Contents", [])}


def object_bytes(s3, key: str) -> bytes:
    return s3.get_object(Bucket=settings.S3_BUCKET, Key=key)["Body"].read()


def test_an_uploaded_flac_is_processed_by_the_worker_and_streams_from_s3(artist_client, s3):
    completed = upload_through_browser(
        artist_client, audio_file("flac", seconds=6).read_bytes(), "night-drive.flac"
    )
    assert completed["status"] == "processing"

    track = processed(completed["track"])

    assert track.status == Track.Status.READY, track.status_message
    assert 5.9 < track.duration < 6.1
    assert len(track.peaks) > 0 and max(track.peaks) > 0
    renditions = {r.format: r for r in track.renditions.all()}
    assert set(renditions) == {"opus", "mp3"}
    assert {f"audio/{r.file.name}" for r in renditions.values()} <= bucket_keys(s3, "audio/")
    assert f"audio/{track.original.name}" in bucket_keys(s3, "audio/originals/")

    play = artist_client.get(reverse("tracks:track_play", args=[track.public_id]))
    source = play.json()["sources"][0]
    assert source["src"].startswith("/stream/")

    redirect = artist_client.get(source["src"])
    assert redirect.status_code == 302
    location = redirect["Location"]
    assert location.startswith(f"{settings.S3_PUBLIC_ENDPOINT_URL}/{settings.S3_BUCKET}/")

    rendition = Rendition.objects.get(track=track, format="opus")
    whole = object_bytes(s3, f"audio/{rendition.file.name}")
    assert len(whole) == rendition.size > 4096

    first = requests.get(location, headers={"Range": "bytes=0-1023"}, timeout=10)
    assert first.status_code == 206
    assert first.headers["Content-Range"] == f"bytes 0-1023/{rendition.size}"
    assert first.content == whole[:1024]
    assert first.headers["Content-Type"] == rendition.mime_type
    # Signed into the URL (backstage/media.py): the bucket answers inline, with our file name.
    assert first.headers["Content-Disposition"] == (
        f'inline; filename="{rendition.file.name.rsplit("/", 1)[-1]}"'
    )

    middle = rendition.size // 2
    seek = requests.get(location, headers={"Range": f"bytes={middle}-{middle + 2047}"}, timeout=10)
    assert seek.status_code == 206
    assert seek.headers["Content-Range"] == f"bytes {middle}-{middle + 2047}/{rendition.size}"
    assert seek.content == whole[middle : middle + 2048]


def test_a_file_cut_short_fails_with_a_message_and_keeps_the_original(artist_client, s3):
    completed = upload_through_browser(artist_client, cut_short("flac"), "half-sent.flac")

    track = processed(completed["track"])

    assert track.status == Track.Status.FAILED
    assert "cut short" in track.status_message
    assert f"audio/{track.original.name}" in bucket_keys(s3, "audio/originals/")
    assert not track.renditions.exists()
    assert bucket_keys(s3, f"audio/renditions/{track.id}/") == set()


def test_a_takedown_stops_a_stream_link_already_handed_out(artist_client, admin_user):
    completed = upload_through_browser(
        artist_client, audio_file("flac", seconds=6).read_bytes(), "disputed.flac"
    )
    track = processed(completed["track"])
    assert track.status == Track.Status.READY, track.status_message
    play = artist_client.get(reverse("tracks:track_play", args=[track.public_id]))
    link = play.json()["sources"][0]["src"]
    assert artist_client.get(link).status_code == 302

    services.take_down_track(track=track, by=admin_user, reason="Copyright claim")

    assert artist_client.get(link).status_code == 404


def test_behind_nginx_the_stream_is_an_internal_redirect_nginx_can_fetch(
    artist_client, s3, settings
):
    """The X-Accel contract with deploy/nginx.conf: Django answers with no audio bytes, and
    the internal location (prefix stripped, proxied to S3) gets the bytes, Range included."""
    completed = upload_through_browser(
        artist_client, audio_file("flac", seconds=6).read_bytes(), "behind-nginx.flac"
    )
    track = processed(completed["track"])
    settings.MEDIA_ACCEL_PREFIX = "/protected-audio"
    play = artist_client.get(reverse("tracks:track_play", args=[track.public_id]))
    source = play.json()["sources"][0]

    answer = artist_client.get(source["src"])

    assert answer.status_code == 200
    assert answer.content == b""
    assert answer["X-Content-Type-Options"] == "nosniff"
    assert answer["Content-Disposition"].startswith("inline; filename=")
    internal = answer["X-Accel-Redirect"]
    assert internal.startswith(f"/protected-audio/{settings.S3_BUCKET}/audio/renditions/")
    rendition = Rendition.objects.get(track=track, format="opus")
    nginx_fetch = requests.get(
        settings.S3_ENDPOINT_URL + internal.removeprefix("/protected-audio"),
        headers={"Range": "bytes=100-599"},
        timeout=10,
    )
    assert nginx_fetch.status_code == 206
    assert nginx_fetch.content == object_bytes(s3, f"audio/{rendition.file.name}")[100:600]
