"""Moderators find playlists in the admin and take them down."""

from django.test import Client
from django.urls import reverse

from playlists import services
from tests.playlists.conftest import bulk_tracks, fill

# What the note page posts (tests/moderation/test_queue.py covers the page itself).
NOTED = {"confirm": "yes", "note": "Taken down by moderation"}


def test_staff_list_and_open_playlists_with_their_tracks(client, admin_user, fan, tracks):
    playlist = services.create_playlist(owner=fan, title="Flagged")
    services.add_tracks(playlist=playlist, tracks=tracks, by=fan)
    client.force_login(admin_user)

    listing = client.get(reverse("admin:playlists_playlist_changelist"), {"q": "flagged"})
    change = client.get(reverse("admin:playlists_playlist_change", args=[playlist.pk]))

    assert "Flagged" in listing.content.decode()
    assert change.status_code == 200
    html = change.content.decode()
    assert all(track.title in html for track in tracks)


def test_a_huge_playlist_opens_in_the_admin_showing_its_first_tracks(
    client, admin_user, fan, artist
):
    playlist = services.create_playlist(owner=fan, title="Everything")
    fill(playlist, bulk_tracks(artist, 2000), fan)
    client.force_login(admin_user)

    html = client.get(reverse("admin:playlists_playlist_change", args=[playlist.pk])).text

    assert html.count(f"— {artist.name}") == 50


def test_taking_a_playlist_down_hides_it_and_its_embed_and_restoring_brings_it_back(
    client, admin_user, fan, tracks
):
    playlist = services.create_playlist(owner=fan, title="Flagged")
    services.add_tracks(playlist=playlist, tracks=tracks, by=fan)
    visitor = Client()
    embed = reverse("embed:playlist", args=[playlist.public_id])
    assert visitor.get(playlist.get_absolute_url()).status_code == 200
    assert visitor.get(embed).status_code == 200  # and cached for anonymous visitors
    client.force_login(admin_user)
    changelist = reverse("admin:playlists_playlist_changelist")

    client.post(changelist, {"action": "take_down", "_selected_action": [playlist.pk], **NOTED})

    assert visitor.get(playlist.get_absolute_url()).status_code == 404
    assert visitor.get(embed).status_code == 404
    owner = Client()
    owner.force_login(fan)
    assert "Taken down by moderation" in owner.get(playlist.get_absolute_url()).text

    client.post(changelist, {"action": "restore", "_selected_action": [playlist.pk], **NOTED})
    assert visitor.get(playlist.get_absolute_url()).status_code == 200
    assert visitor.get(embed).status_code == 200


def test_fans_cannot_open_the_playlist_admin(client, fan):
    client.force_login(fan)
    response = client.get(reverse("admin:playlists_playlist_changelist"))
    assert response.status_code == 302
