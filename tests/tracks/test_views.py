"""Uploading over HTTP, hostile tags on every page, the track edit form, and query counts."""

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.audio_files import audio_file, processed_track
from tests.factories import ArtistFactory, ReleaseFactory, TrackFactory
from tracks.models import Track, Upload

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n" * 20


def start(client, **data):
    return client.post(
        reverse("tracks:upload_start"), {"filename": "song.mp3", "size": 1000, **data}
    )


def send(client, upload_id: str, data: bytes, name: str = "song.mp3"):
    return client.post(
        reverse("tracks:upload_receive", args=[upload_id]),
        {"file": SimpleUploadedFile(name, data, content_type="application/octet-stream")},
    )


def complete(client, upload_id: str, **data):
    return client.post(reverse("tracks:upload_complete", args=[upload_id]), data)


def upload(client, data: bytes, name: str = "song.mp3") -> str:
    """Start an upload and send its bytes; the upload's id."""
    started = start(client, filename=name, size=len(data))
    assert started.status_code == 201, started.json()
    upload_id = started.json()["upload"]
    assert send(client, upload_id, data, name).status_code == 201
    return upload_id


# --- Starting an upload --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "says"),
    [
        ({"filename": "invoice.pdf"}, "not an audio file we accept (.pdf)"),
        ({"filename": "song"}, "not an audio file we accept (no extension)"),
        ({"size": 0}, "is empty (0 bytes)"),
        ({"size": 10_001}, "the limit is 9.8\xa0KB per file"),
        ({"size": "a lot"}, "Size: Enter a whole number."),
        ({"size": -5}, "Size: Ensure this value is greater than or equal to 0."),
        ({"filename": ""}, "Filename: This field is required."),
    ],
)
def test_starting_an_upload_explains_what_is_wrong(artist_client, settings, data, says):
    settings.UPLOAD_MAX_BYTES = 10_000

    response = start(artist_client, **data)

    assert response.status_code == 400
    assert says in response.json()["error"]
    assert not Upload.objects.exists()


def test_an_upload_with_no_fields_at_all_names_what_is_missing(artist_client):
    response = artist_client.post(reverse("tracks:upload_start"))

    assert response.status_code == 400
    error = response.json()["error"]
    assert "Filename: This field is required." in error
    assert "Size: This field is required." in error


def test_a_listener_without_an_artist_profile_is_sent_to_create_one(client, fan):
    client.force_login(fan)

    page = client.get(reverse("tracks:upload"))
    started = start(client)

    assert page.status_code == 302 and page["Location"] == reverse("artists:create")
    assert started.status_code == 404
    assert not Upload.objects.exists()


def test_an_anonymous_visitor_is_asked_to_log_in(client, db):
    page = client.get(reverse("tracks:upload"))
    started = start(client)

    for response in (page, started):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login") + "?next=")


def test_starting_an_upload_needs_the_csrf_token(artist):
    client = Client(enforce_csrf_checks=True)
    client.force_login(artist.user)

    response = start(client)

    assert response.status_code == 403
    assert not Upload.objects.exists()


# --- Sending the file and completing -------------------------------------------------------------


def test_a_body_over_the_limit_is_refused_before_it_is_read(artist_client, settings):
    started = start(artist_client, size=1000).json()
    settings.UPLOAD_MAX_BYTES = 1000

    response = send(artist_client, started["upload"], b"\0" * 200_000)

    assert response.status_code == 413
    assert "over the 1000\xa0bytes limit" in response.json()["error"]


def test_a_file_larger_than_declared_but_near_the_limit_is_refused_with_a_message(
    artist_client, settings
):
    settings.UPLOAD_MAX_BYTES = 1000
    started = start(artist_client, size=1000).json()

    response = send(artist_client, started["upload"], b"\0" * 1001)

    assert response.status_code == 400
    assert "the limit is 1000\xa0bytes" in response.json()["error"]


def test_a_request_with_no_file_is_answered_with_a_message(artist_client):
    started = start(artist_client).json()

    response = artist_client.post(reverse("tracks:upload_receive", args=[started["upload"]]))

    assert response.status_code == 400
    assert response.json()["error"] == "No file arrived. Please try again."


def test_someone_elses_upload_cannot_be_sent_to_or_completed(artist_client):
    started = start(artist_client).json()
    client = Client()
    client.force_login(ArtistFactory().user)

    assert send(client, started["upload"], audio_file("mp3").read_bytes()).status_code == 404
    assert complete(client, started["upload"]).status_code == 404
    assert not Track.objects.exists()


def test_completing_twice_makes_one_track(artist_client):
    upload_id = upload(artist_client, audio_file("mp3").read_bytes())

    first = complete(artist_client, upload_id)
    second = complete(artist_client, upload_id)

    assert first.status_code == second.status_code == 201
    assert first.json()["track"] == second.json()["track"]
    assert Track.objects.count() == 1


def test_a_renamed_pdf_is_refused_and_makes_no_track(artist_client):
    upload_id = upload(artist_client, PDF, "single.mp3")

    response = complete(artist_client, upload_id)

    assert response.status_code == 400
    assert "“single.mp3” is a PDF document, not audio" in response.json()["error"]
    assert not Track.objects.exists()


def test_a_real_mp3_goes_from_the_browser_to_a_playable_track(
    artist_client, artist, django_capture_on_commit_callbacks
):
    upload_id = upload(artist_client, audio_file("mp3").read_bytes(), "First Light.mp3")

    with django_capture_on_commit_callbacks(execute=True):
        completed = complete(artist_client, upload_id, visibility="unlisted")

    assert completed.status_code == 201
    assert completed.json()["title"] == "First Light"
    track = Track.objects.get(public_id=completed.json()["track"])
    assert track.status == Track.Status.READY, track.status_message
    assert track.visibility == "unlisted"
    play = artist_client.get(reverse("tracks:track_play", args=[track.public_id]))
    assert play.status_code == 200
    assert [s["type"] for s in play.json()["sources"]] == ["audio/ogg; codecs=opus", "audio/mpeg"]
    for source in play.json()["sources"]:
        stream = artist_client.get(source["src"], headers={"Range": "bytes=0-3"})
        assert stream.status_code == 206


# --- Hostile tags --------------------------------------------------------------------------------

SCRIPT = "<script>alert(1)</script>"


@pytest.mark.parametrize("title", [SCRIPT, SCRIPT * 400], ids=["script", "10000-chars"])
def test_a_hostile_title_tag_is_shown_as_text_on_every_page(artist_client, artist, title):
    assert len(SCRIPT * 400) == 10_000
    track = processed_track(artist, audio_file("mp3", tags=(("title", title),)))
    client = Client()
    assert track.status == Track.Status.READY, track.status_message
    assert track.title == title[:200]

    pages = [
        client.get(track.get_absolute_url()),
        client.get(artist.get_absolute_url()),
        client.get(reverse("home")),
        artist_client.get(reverse("artists:studio")),
        artist_client.get(reverse("tracks:track_edit", args=[track.public_id])),
    ]
    for page in pages:
        assert page.status_code == 200
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
        assert "<script>alert(1)" not in page.text
    play = client.get(reverse("tracks:track_play", args=[track.public_id]))
    assert play.json()["title"] == title[:200]


# --- Editing a track -----------------------------------------------------------------------------


def edit(client, track, **changes):
    data = {
        "title": track.title,
        "genre": track.genre,
        "tags": ", ".join(track.tags),
        "credits": track.credits,
        "release_date": "",
        "licence": track.licence,
        "visibility": track.visibility,
        **({"radio_enabled": "on"} if track.radio_enabled else {}),  # a ticked checkbox
        **changes,
    }
    return client.post(reverse("tracks:track_edit", args=[track.public_id]), data)


def test_tags_are_normalised_and_deduplicated(artist_client, artist):
    track = TrackFactory(artist=artist)

    response = edit(artist_client, track, tags="Dream Pop,  lo-fi , dream pop, LO-FI, , Ambient!")

    assert response.status_code == 302
    track.refresh_from_db()
    assert track.tags == ["dream pop", "lo fi", "ambient"]
    assert "#dream pop" in artist_client.get(track.get_absolute_url()).text


def test_too_many_tags_are_refused_and_the_form_keeps_what_was_typed(artist_client, artist):
    track = TrackFactory(artist=artist, title="Before")
    tags = ", ".join(f"tag{n}" for n in range(11))

    response = edit(artist_client, track, title="After", tags=tags)

    assert response.status_code == 422
    assert "At most 10 tags, please." in response.text
    assert 'value="After"' in response.text
    assert tags in response.text
    track.refresh_from_db()
    assert track.title == "Before" and track.tags == []


def test_the_fields_an_artist_edits_are_remembered(artist_client, artist):
    track = TrackFactory(artist=artist, title="Track", genre="")

    edit(artist_client, track, title="Renamed", genre="Dub")
    track.refresh_from_db()
    edit(artist_client, track, credits="Bass: Ana")

    track.refresh_from_db()
    assert (track.title, track.genre, track.credits) == ("Renamed", "Dub", "Bass: Ana")
    assert track.edited_fields == ["credits", "genre", "title"]


def test_an_empty_title_is_refused(artist_client, artist):
    track = TrackFactory(artist=artist, title="Keep me")

    response = edit(artist_client, track, title="")

    assert response.status_code == 422
    assert "This field is required." in response.text
    track.refresh_from_db()
    assert track.title == "Keep me"


# --- Query counts --------------------------------------------------------------------------------


def catalogue(size: int) -> dict:
    """An artist with a release of `size` tracks and `size` singles, among `size` other artists
    with one release and one track each."""
    owner = ArtistFactory()
    release = ReleaseFactory(artist=owner)
    in_release = [
        TrackFactory(artist=owner, release=release, position=n) for n in range(1, size + 1)
    ]
    TrackFactory.create_batch(size, artist=owner)
    for _ in range(size):
        other = ArtistFactory()
        TrackFactory(artist=other, release=ReleaseFactory(artist=other))
    return {"artist": owner, "release": release, "track": in_release[0]}


def page_urls(setup: dict) -> dict[str, str]:
    return {
        "artist page": setup["artist"].get_absolute_url(),
        "release page": setup["release"].get_absolute_url(),
        "track page": setup["track"].get_absolute_url(),
        "home page": reverse("home"),
        "studio": reverse("artists:studio"),
    }


def queries_for(client, url: str) -> int:
    """Queries to render `url` (from scratch: anonymous pages are otherwise cached)."""
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


@pytest.mark.parametrize("viewer", ["owner", "anonymous"])
def test_pages_cost_the_same_queries_for_2_tracks_as_for_20(db, viewer):
    small, large = catalogue(2), catalogue(20)
    small_client, large_client = Client(), Client()
    if viewer == "owner":
        small_client.force_login(small["artist"].user)
        large_client.force_login(large["artist"].user)
    names = [name for name in page_urls(small) if viewer == "owner" or name != "studio"]

    counts_small = {name: queries_for(small_client, page_urls(small)[name]) for name in names}
    counts_large = {name: queries_for(large_client, page_urls(large)[name]) for name in names}

    assert counts_large == counts_small
