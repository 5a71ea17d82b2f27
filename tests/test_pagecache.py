"""Anonymous visitors get cached pages that never outlive a change to the catalogue."""

from django.test import Client
from django.urls import reverse

from tests.factories import TrackFactory
from tracks import services


def test_an_anonymous_visitor_gets_the_second_view_from_the_cache(client, db):
    track = TrackFactory(title="Cached Song")
    first = client.get(track.get_absolute_url())
    second = client.get(track.get_absolute_url())
    assert first.status_code == second.status_code == 200
    assert "X-Page-Cache" not in first
    assert second["X-Page-Cache"] == "hit"
    assert b"Cached Song" in second.content


def test_a_takedown_shows_at_once_despite_the_cache(client, admin_user, db):
    track = TrackFactory()
    client.get(track.get_absolute_url())
    assert client.get(track.get_absolute_url())["X-Page-Cache"] == "hit"

    services.take_down_track(track=track, by=admin_user, reason="Claim")

    assert client.get(track.get_absolute_url()).status_code == 404
    assert track.title not in client.get(reverse("home")).content.decode()


def test_an_edit_by_the_artist_shows_at_once(client, db):
    track = TrackFactory(title="Old Name")
    client.get(track.get_absolute_url())
    services.update_track(track=track, title="New Name")
    page = client.get(track.get_absolute_url(), follow=True)
    assert b"New Name" in page.content


def test_logged_in_people_never_get_a_cached_page(client, fan, db):
    track = TrackFactory()
    client.get(track.get_absolute_url())
    client.force_login(fan)
    assert "X-Page-Cache" not in client.get(track.get_absolute_url())


def test_a_one_off_message_is_never_served_to_someone_else(client, fan, db):
    client.force_login(fan)
    client.post(reverse("account_logout"))  # leaves "You have signed out." for the next page
    assert b"signed out" in client.get(reverse("home")).content
    assert b"signed out" not in Client().get(reverse("home")).content
