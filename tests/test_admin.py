"""Moderation in the Django admin: staff see every list and can take music down at once."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import ReleaseFactory, TrackFactory
from tracks.models import Track

# What the note page posts (tests/moderation/test_queue.py covers the page itself).
NOTED = {"confirm": "yes", "note": "Taken down by moderation"}

CHANGELISTS = [
    "admin:tracks_track_changelist",
    "admin:tracks_release_changelist",
    "admin:tracks_upload_changelist",
    "admin:artists_artist_changelist",
    "admin:backstage_user_changelist",
]


@pytest.fixture
def track(artist):
    return TrackFactory(artist=artist, title="Disputed", release=ReleaseFactory(artist=artist))


@pytest.mark.parametrize("name", CHANGELISTS)
def test_staff_can_open_every_changelist(staff_client, track, name):
    response = staff_client.get(reverse(name))

    assert response.status_code == 200


@pytest.mark.parametrize("name", CHANGELISTS)
def test_people_who_are_not_staff_are_sent_to_the_admin_login(client, artist, fan, name):
    for person in (None, fan, artist.user):
        if person:
            client.force_login(person)
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


def test_staff_can_open_a_track_and_search_for_it(staff_client, track):
    change = staff_client.get(reverse("admin:tracks_track_change", args=[track.id]))
    found = staff_client.get(reverse("admin:tracks_track_changelist"), {"q": "Disputed"})
    missing = staff_client.get(reverse("admin:tracks_track_changelist"), {"q": "Nothing"})

    assert change.status_code == 200
    assert "Disputed" in found.text
    assert "0 tracks" in missing.text


def test_taking_a_track_down_stops_its_page_and_a_stream_link_already_handed_out(
    staff_client, track, fan
):
    listener = Client()
    listener.force_login(fan)
    play = listener.get(reverse("tracks:track_play", args=[track.public_id]))
    link = play.json()["sources"][0]["src"]
    assert listener.get(link).status_code == 200

    response = staff_client.post(
        reverse("admin:tracks_track_changelist"),
        {"action": "take_down", "_selected_action": [track.id], **NOTED},
        follow=True,
    )

    assert response.status_code == 200
    assert "Took down 1 track(s)." in response.text
    track.refresh_from_db()
    assert track.is_taken_down
    assert "Taken down by moderation" in track.takedown_reason
    assert listener.get(link).status_code == 404
    assert listener.get(track.get_absolute_url()).status_code == 404
    assert listener.get(reverse("tracks:track_play", args=[track.public_id])).status_code == 404
    assert Client().get(track.get_absolute_url()).status_code == 404
    assert "Disputed" not in listener.get(track.release.get_absolute_url()).text


def test_the_owner_is_told_their_track_was_taken_down(staff_client, track, artist):
    staff_client.post(
        reverse("admin:tracks_track_changelist"),
        {"action": "take_down", "_selected_action": [track.id], **NOTED},
    )
    owner = Client()
    owner.force_login(artist.user)

    page = owner.get(track.get_absolute_url())

    assert "This track has been taken down: Taken down by moderation" in page.text
    assert owner.get(reverse("tracks:track_play", args=[track.public_id])).status_code == 409


def test_restoring_a_taken_down_track_makes_it_playable_again(staff_client, track, fan):
    changelist = reverse("admin:tracks_track_changelist")
    staff_client.post(changelist, {"action": "take_down", "_selected_action": [track.id], **NOTED})

    staff_client.post(changelist, {"action": "restore", "_selected_action": [track.id], **NOTED})

    track.refresh_from_db()
    assert not track.is_taken_down
    assert Client().get(track.get_absolute_url()).status_code == 200


def test_the_taken_down_filter_lists_only_taken_down_tracks(staff_client, artist):
    kept = TrackFactory(artist=artist, title="Kept")
    gone = TrackFactory(artist=artist, title="Gone")
    staff_client.post(
        reverse("admin:tracks_track_changelist"),
        {"action": "take_down", "_selected_action": [gone.id], **NOTED},
    )

    listed = staff_client.get(reverse("admin:tracks_track_changelist"), {"taken_down": "yes"})

    assert "Gone" in listed.text
    assert kept.title not in listed.text
    assert Track.objects.filter(taken_down_at__isnull=False).get() == gone


def test_someone_who_is_not_staff_cannot_run_the_take_down_action(client, fan, track):
    client.force_login(fan)

    response = client.post(
        reverse("admin:tracks_track_changelist"),
        {"action": "take_down", "_selected_action": [track.id], **NOTED},
    )

    assert response.status_code == 302
    track.refresh_from_db()
    assert not track.is_taken_down
