"""Pictures are recognised by their content, never their name: hostile files get a clear
message and a 4xx, and nothing is stored (docs/security.md "Uploaded files")."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from artists.models import Artist
from tests.factories import ArtistFactory
from tests.pictures import picture, png_bomb
from tracks.models import Track, Upload

NOT_A_PICTURE = "is not a JPEG, PNG, WebP or GIF picture, whatever its name says"
UNREADABLE = "This picture could not be read"


SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>alert(document.cookie)</script></svg>"
)
HTML = b"<!doctype html><html><body><script>fetch('/messages/')</script></body></html>"


@pytest.fixture
def fan_client(client, fan):
    client.force_login(fan)
    return client


def become_artist(client, name: str, content: bytes, content_type: str = "image/png"):
    avatar = SimpleUploadedFile(name, content, content_type=content_type)
    data = {"name": "Night Owls", "slug": "night-owls", "bio": "", "links": "", "location": ""}
    return client.post(reverse("artists:create"), {**data, "avatar": avatar})


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("me.png", HTML, NOT_A_PICTURE),
        ("me.jpg", SVG, NOT_A_PICTURE),
        ("me.svg", SVG, NOT_A_PICTURE),
        ("me.png", picture("PNG")[:-40], UNREADABLE),  # truncated
        ("me.png", picture("BMP"), NOT_A_PICTURE),  # a real picture, not an allowed format
        ("me.png", png_bomb(), "This picture has too many pixels"),
        ("me.png", png_bomb(side=8000), "too many pixels (8000 × 8000)"),
    ],
    ids=["html-as-png", "svg-as-jpg", "svg", "truncated-png", "bmp", "png-bomb", "64-mp"],
)
def test_a_hostile_avatar_is_refused_with_a_message_and_nothing_is_made(
    fan_client, name, content, says
):
    assert len(content) < 200_000  # small on disk, whatever it claims

    response = become_artist(fan_client, name, content)

    assert response.status_code == 422
    assert says in response.text
    assert not Artist.objects.exists()


def test_a_polyglot_keeps_its_picture_and_loses_the_rest(fan_client, fan):
    polyglot = picture("JPEG") + HTML  # a JPEG with a page appended

    response = become_artist(fan_client, "me.html", polyglot, content_type="text/html")

    assert response.status_code == 302
    avatar = Artist.objects.get(user=fan).avatar
    assert avatar.name.endswith(".jpg") and "me" not in avatar.name.rsplit("/", 1)[-1]
    stored = avatar.read()
    assert b"<script" not in stored and b"<html" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "JPEG"


@pytest.mark.parametrize("fmt", ["PNG", "WEBP", "GIF", "JPEG"])
def test_each_allowed_format_is_stored_as_a_jpeg_under_a_name_we_chose(fan_client, fan, fmt):
    response = become_artist(fan_client, "picture.exe", picture(fmt))

    assert response.status_code == 302
    avatar = Artist.objects.get(user=fan).avatar
    assert avatar.name.startswith("avatars/avatar-") and avatar.name.endswith(".jpg")


def test_a_zip_named_mp3_is_refused_after_it_arrives(client, db):
    artist = ArtistFactory()
    client.force_login(artist.user)
    zipped = b"PK\x03\x04" + b"\x00" * 2000
    started = client.post(reverse("tracks:upload_start"), {"filename": "hit.mp3", "size": 2004})
    upload_id = started.json()["upload"]
    sent = client.post(
        reverse("tracks:upload_receive", args=[upload_id]),
        {"file": SimpleUploadedFile("hit.mp3", zipped, content_type="audio/mpeg")},
    )
    assert sent.status_code == 201

    done = client.post(reverse("tracks:upload_complete", args=[upload_id]), {})

    assert done.status_code == 400
    assert "“hit.mp3” is a ZIP archive" in done.json()["error"]
    assert not Track.objects.exists()
    assert Upload.objects.get().state == Upload.State.REJECTED
