"""Uploaded bytes can never run as a page: every way they leave us carries a Content-Type we
chose, nosniff, a Content-Disposition (inline for pictures and audio, attachment for
downloads) and, where we send the bytes ourselves, `default-src 'none'; sandbox`."""

from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse

from backstage import s3
from backstage import urls as project_urls
from backstage.images import normalise_image
from backstage.media import SANDBOX
from payments import downloads
from tests.factories import ArtistFactory, TrackFactory
from tests.pictures import picture
from tracks import streaming
from tracks.models import Rendition

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_from_the_tests_folder(monkeypatch):
    """/media/ serves the test's own public folder (tests/conftest.py: _isolated_media)."""
    media = next(p for p in project_urls.urlpatterns if str(p.pattern).startswith("media/"))
    monkeypatch.setitem(media.default_args, "document_root", default_storage.location)


def assert_sealed(response, content_type: str, disposition: str, *, sandbox: bool = True):
    assert response["Content-Type"] == content_type
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith(disposition)
    if sandbox:
        assert response["Content-Security-Policy"] == SANDBOX


def test_a_picture_under_media_is_served_inline_as_what_we_stored(client):
    artist = ArtistFactory(
        avatar=normalise_image(picture("PNG"), max_side=200, stem="avatar"),
    )
    name = artist.avatar.name.rsplit("/", 1)[-1]

    response = client.get(artist.avatar.url)

    assert response.status_code == 200
    assert_sealed(response, "image/jpeg", f'inline; filename="{name}"')


def test_anything_else_under_media_is_an_opaque_download(client):
    default_storage.save("avatars/evil.html", ContentFile(b"<script>alert(1)</script>"))

    response = client.get("/media/avatars/evil.html")

    assert response.status_code == 200
    assert_sealed(response, "application/octet-stream", 'attachment; filename="evil.html"')


def _stream_link(client, track) -> str:
    play = client.get(reverse("tracks:track_play", args=[track.public_id]))
    return next(s["src"] for s in play.json()["sources"] if s["type"] == "audio/mpeg")


@pytest.mark.parametrize("ranged", [False, True])
def test_a_stream_is_inline_audio_that_cannot_run(client, ranged):
    track = TrackFactory()
    headers = {"HTTP_RANGE": "bytes=0-99"} if ranged else {}

    response = client.get(_stream_link(client, track), **headers)

    assert response.status_code == (206 if ranged else 200)
    assert_sealed(response, "audio/mpeg", "inline; filename=")


def test_behind_nginx_the_headers_go_with_the_redirect(client, settings):
    settings.MEDIA_ACCEL_PREFIX = "/protected-audio/"
    track = TrackFactory()

    response = client.get(_stream_link(client, track))

    assert response["X-Accel-Redirect"].startswith("/protected-audio/")
    assert_sealed(response, "audio/mpeg", "inline; filename=")


def test_a_download_is_an_attachment_that_cannot_run():
    track = TrackFactory(original_filename='<img src=x>".html')

    response = downloads.serve_file(track, downloads.ORIGINAL)

    assert_sealed(response, "application/octet-stream", "attachment; filename=")
    assert "<img" in response["Content-Disposition"]  # quoted, never a header break
    assert '\\"' in response["Content-Disposition"]


# --- S3: the type and disposition are signed into the URL ------------------------------------


class FakeBucket:
    """Enough of an S3Storage for the URL signing (no network: presigning is offline)."""

    bucket_name = "media"

    def _normalize_name(self, name):
        return name


@pytest.fixture
def offline_signer(monkeypatch):
    client = boto3.client(
        "s3",
        endpoint_url="http://127.0.0.1:9",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        region_name="us-east-1",
    )
    monkeypatch.setattr(s3, "signing_client", lambda internal=False: client)


def signed(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def test_an_s3_stream_url_names_its_type_and_inline(client, offline_signer, monkeypatch):
    monkeypatch.setattr(streaming, "audio_storage", FakeBucket)
    track = TrackFactory()
    rendition = track.renditions.get(format=Rendition.Format.MP3)

    response = streaming.serve_rendition(None, rendition)

    query = signed(response["Location"])
    assert query["response-content-type"] == "audio/mpeg"
    assert query["response-content-disposition"].startswith("inline; filename=")


def test_an_s3_download_url_is_an_attachment(offline_signer, monkeypatch):
    monkeypatch.setattr(downloads, "audio_storage", FakeBucket)
    track = TrackFactory(original_filename="night bus.flac")

    query = signed(downloads.serve_file(track, downloads.ORIGINAL)["Location"])

    assert query["response-content-type"] == "application/octet-stream"
    assert query["response-content-disposition"] == 'attachment; filename="night bus.flac"'


@pytest.mark.parametrize(
    ("name", "content_type", "disposition"),
    [
        ("avatars/avatar-1a2b.jpg", "image/jpeg", 'inline; filename="avatar-1a2b.jpg"'),
        ("covers/old.svg", "application/octet-stream", 'attachment; filename="old.svg"'),
    ],
)
def test_s3_picture_urls_name_the_type_we_chose(offline_signer, name, content_type, disposition):
    storage = s3.BrowserFacingS3Storage.__new__(s3.BrowserFacingS3Storage)
    storage.bucket_name, storage.querystring_expire, storage.location = "media", 60, ""

    query = signed(storage.url(name))

    assert query["response-content-type"] == content_type
    assert query["response-content-disposition"] == disposition
