"""Who may see, hear and edit which music, through every URL that leads to it.

Each state below is applied to a ready, public single; each viewer then tries every door.
Fans and outsiders are both logged-in people who do not own the music; staff moderate and
so see everything, but edit nothing.
"""

from pathlib import Path

import pytest
from django.test import Client
from django.urls import resolve, reverse

import backstage.settings as project_settings
from backstage import urls as project_urls
from tests.factories import ReleaseFactory, TrackFactory
from tracks import services
from tracks.models import Track, Visibility, audio_storage

STATES = ["public", "unlisted", "private", "taken_down", "processing", "failed", "suspended"]
VIEWERS = ["owner", "fan", "outsider", "anonymous", "admin"]
OTHERS = {"fan", "outsider", "anonymous"}

# What a person who does not own the music may reach, by state.
OPEN_TO_OTHERS = {"public", "unlisted"}
# What can be played at all (by its owner and staff too).
PLAYABLE = {"public", "unlisted", "private", "suspended"}


def put_in_state(track: Track, state: str, *, by) -> Track:
    """Move a ready, public track into `state`, the way the app itself does."""
    if state == "unlisted":
        track.visibility = Visibility.UNLISTED
    elif state == "private":
        track.visibility = Visibility.PRIVATE
    elif state == "taken_down":
        return services.take_down_track(track=track, by=by, reason="Copyright claim")
    elif state == "processing":
        track.status = Track.Status.PROCESSING
    elif state == "failed":
        track.status, track.status_message = Track.Status.FAILED, "The file is cut short."
    elif state == "suspended":
        track.artist.is_suspended = True
        track.artist.save()
    track.save()
    return track


@pytest.fixture
def people(artist, fan, outsider, admin_user):
    return {
        "owner": artist.user,
        "fan": fan,
        "outsider": outsider,
        "anonymous": None,
        "admin": admin_user,
    }


def client_of(people, who: str) -> Client:
    client = Client()
    if people[who] is not None:
        client.force_login(people[who])
    return client


@pytest.fixture
def track(artist):
    return TrackFactory(artist=artist, title="Night Swim")


def sources(client: Client, track: Track) -> list[dict]:
    response = client.get(reverse("tracks:track_play", args=[track.public_id]))
    assert response.status_code == 200
    return response.json()["sources"]


# --- The matrix ----------------------------------------------------------------------------------


@pytest.mark.parametrize("viewer", VIEWERS)
@pytest.mark.parametrize("state", STATES)
def test_the_track_page_opens_only_for_those_who_may_see_the_track(
    people, track, admin_user, state, viewer
):
    put_in_state(track, state, by=admin_user)
    client = client_of(people, viewer)

    page = client.get(track.get_absolute_url())
    short_link = client.get(reverse("tracks:track_short", args=[track.public_id]))

    allowed = viewer not in OTHERS or state in OPEN_TO_OTHERS
    assert page.status_code == (200 if allowed else 404)
    assert short_link.status_code == (301 if allowed else 404)
    if allowed:
        assert "Night Swim" in page.text


@pytest.mark.parametrize("viewer", VIEWERS)
@pytest.mark.parametrize("state", STATES)
def test_the_player_gets_sources_only_for_a_track_it_may_play(
    people, track, admin_user, state, viewer
):
    put_in_state(track, state, by=admin_user)

    response = client_of(people, viewer).get(reverse("tracks:track_play", args=[track.public_id]))

    if viewer in OTHERS and state not in OPEN_TO_OTHERS:
        assert response.status_code == 404
    elif state not in PLAYABLE:
        assert response.status_code == 409
        assert "not ready to play" in response.json()["error"]
    else:
        assert response.status_code == 200
        assert [s["type"] for s in response.json()["sources"]] == [
            "audio/ogg; codecs=opus",
            "audio/mpeg",
        ]


@pytest.mark.parametrize("viewer", VIEWERS)
@pytest.mark.parametrize("state", STATES)
def test_a_stream_link_handed_to_the_owner_rechecks_access_on_every_request(
    people, track, admin_user, state, viewer
):
    link = sources(client_of(people, "owner"), track)[0]["src"]
    put_in_state(track, state, by=admin_user)

    response = client_of(people, viewer).get(link)

    may_hear = state in PLAYABLE and (viewer not in OTHERS or state in OPEN_TO_OTHERS)
    assert response.status_code == (200 if may_hear else 404)


@pytest.mark.parametrize("viewer", VIEWERS)
@pytest.mark.parametrize("state", STATES)
def test_only_the_owner_can_open_the_edit_page_and_the_status_panel(
    people, track, admin_user, state, viewer
):
    put_in_state(track, state, by=admin_user)
    client = client_of(people, viewer)

    edit = client.get(reverse("tracks:track_edit", args=[track.public_id]))
    status = client.get(reverse("tracks:track_status", args=[track.public_id]))

    if viewer == "owner":
        assert edit.status_code == 200
        assert status.status_code == 200
    elif viewer == "anonymous":
        assert edit.status_code == 302 and edit["Location"].startswith(reverse("account_login"))
        assert status.status_code == 404
    else:
        assert edit.status_code == 404
        assert status.status_code == 404


@pytest.mark.parametrize("viewer", VIEWERS)
@pytest.mark.parametrize("state", STATES)
def test_a_release_page_lists_the_track_only_to_those_who_may_see_it(
    people, artist, track, admin_user, state, viewer
):
    release = ReleaseFactory(artist=artist, title="Tides")
    TrackFactory(artist=artist, release=release, title="Opener", position=1)
    track.release, track.position = release, 2
    track.save()
    put_in_state(track, state, by=admin_user)

    page = client_of(people, viewer).get(release.get_absolute_url())

    if viewer in OTHERS and state == "suspended":
        assert page.status_code == 404
        return
    assert page.status_code == 200
    assert "Opener" in page.text
    listed = viewer not in OTHERS or state in OPEN_TO_OTHERS
    assert ("Night Swim" in page.text) is listed


@pytest.mark.parametrize("viewer", VIEWERS)
@pytest.mark.parametrize("state", STATES)
def test_the_artist_page_lists_only_public_playable_tracks_to_everyone_but_the_owner(
    people, artist, track, admin_user, state, viewer
):
    put_in_state(track, state, by=admin_user)

    page = client_of(people, viewer).get(artist.get_absolute_url())

    if viewer in OTHERS and state == "suspended":
        assert page.status_code == 404
        return
    assert page.status_code == 200
    listed = viewer == "owner" or state in {"public", "suspended"}
    assert ("Night Swim" in page.text) is listed


# --- Beyond the matrix ---------------------------------------------------------------------------


@pytest.mark.parametrize("state", ["private", "taken_down"])
def test_an_outsider_never_reaches_hidden_music_by_any_url(
    client, people, track, outsider, admin_user, state
):
    owner_links = [s["src"] for s in sources(client_of(people, "owner"), track)]
    admin_links = [s["src"] for s in sources(client_of(people, "admin"), track)]
    put_in_state(track, state, by=admin_user)
    client.force_login(outsider)

    urls = [
        track.get_absolute_url(),
        reverse("tracks:track_short", args=[track.public_id]),
        reverse("tracks:track", args=[track.public_id, "another-slug"]),
        reverse("tracks:track_play", args=[track.public_id]),
        reverse("tracks:track_status", args=[track.public_id]),
        reverse("tracks:track_edit", args=[track.public_id]),
        *owner_links,
        *admin_links,
        *(f"/media/{r.file.name}" for r in track.renditions.all()),
        f"/media/{track.original.name}",
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("tracks:track_retry", args=[track.public_id])).status_code == 404


def test_an_unlisted_track_is_reachable_by_its_link_but_listed_nowhere(client, fan, track):
    track.visibility = Visibility.UNLISTED
    track.save()
    client.force_login(fan)

    assert "Night Swim" in client.get(track.get_absolute_url()).text
    assert "Night Swim" not in client.get(track.artist.get_absolute_url()).text
    assert "Night Swim" not in client.get(reverse("home")).text


def test_a_release_with_only_private_tracks_is_not_shown_on_the_artist_page(client, fan, artist):
    release = ReleaseFactory(artist=artist, title="Demos")
    TrackFactory(artist=artist, release=release, visibility=Visibility.PRIVATE)
    client.force_login(fan)

    assert "Demos" not in client.get(artist.get_absolute_url()).text


def test_staff_can_hear_a_taken_down_track_nowhere_but_can_still_open_its_page(
    client, admin_user, track
):
    services.take_down_track(track=track, by=admin_user, reason="Copyright claim")
    client.force_login(admin_user)

    page = client.get(track.get_absolute_url())

    assert page.status_code == 200
    assert "has been taken down" in page.text
    assert client.get(reverse("tracks:track_play", args=[track.public_id])).status_code == 409


# --- Audio files are never static media ----------------------------------------------------------


def test_the_audio_storage_lies_outside_the_folder_served_under_media():
    served = Path(resolve("/media/anything.jpg").kwargs["document_root"]).resolve()
    audio = Path(project_settings.STORAGES["audio"]["OPTIONS"]["location"]).resolve()

    assert not audio.is_relative_to(served)
    assert project_settings.STORAGES["audio"]["OPTIONS"]["base_url"] is None


def test_no_media_url_serves_an_audio_file(client, track, tmp_path, monkeypatch):
    # Serve /media/ from the test's own public folder, the sibling of its audio folder, as in
    # the real layout (var/media/public next to var/media/audio).
    media = next(p for p in project_urls.urlpatterns if str(p.pattern).startswith("media/"))
    monkeypatch.setitem(media.default_args, "document_root", tmp_path / "public")
    (tmp_path / "public").mkdir(exist_ok=True)
    (tmp_path / "public" / "hello.txt").write_text("hello")
    names = [track.original.name, *(r.file.name for r in track.renditions.all())]
    assert all(audio_storage().exists(name) for name in names)

    assert client.get("/media/hello.txt").status_code == 200
    for name in names:
        for url in (f"/media/{name}", f"/media/../audio/{name}", f"/media/%2e%2e/audio/{name}"):
            assert client.get(url).status_code in (400, 404), url
