"""Every playlist action × owner / collaborator / other user / anonymous × visibility.

Refusals are 404 (a private playlist and a forbidden change look like a missing playlist);
anonymous followers are sent to log in."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from playlists.models import Playlist, PlaylistFollow
from tests.playlists.conftest import order

ROLES = ("owner", "collaborator", "other", "anonymous")
VISIBILITIES = ("public", "unlisted", "private")
ACTIONS = ("view", "add", "move", "remove", "edit", "invite", "delete", "follow")


@pytest.fixture
def as_role(client, fan, collaborator, outsider):
    def login(role):
        people = {"owner": fan, "collaborator": collaborator, "other": outsider}
        if role in people:
            client.force_login(people[role])
        return client

    return login


def perform(client, action, playlist, tracks):
    pid = playlist.public_id
    items = list(playlist.items.order_by("rank"))
    if action == "view":
        return client.get(playlist.get_absolute_url())
    if action == "add":
        data = {"playlist": pid, "track": tracks[3].public_id, "next": "/"}
        return client.post(reverse("playlists:add"), data)
    if action == "move":
        data = {"item": items[2].id, "after": ""}
        return client.post(reverse("playlists:move", args=[pid]), data)
    if action == "remove":
        return client.post(reverse("playlists:remove", args=[pid]), {"item": items[0].id})
    if action == "edit":
        data = {"title": "Renamed", "description": "", "visibility": playlist.visibility}
        return client.post(reverse("playlists:edit", args=[pid]), data)
    if action == "invite":
        data = {"who": "admin@example.com"}
        return client.post(reverse("playlists:collaborators", args=[pid]), data)
    if action == "delete":
        return client.post(reverse("playlists:delete", args=[pid]))
    return client.post(reverse("playlists:follow", args=[pid]), {"on": "true"})


def expected(role, visibility, action) -> str:
    """ "ok" (done), "404", "login" or "refused" (a 400 with a message)."""
    member = role in ("owner", "collaborator")
    if action == "view":
        return "ok" if member or visibility != "private" else "404"
    if action in ("add", "move"):
        return "ok" if member else "404"
    if action in ("remove", "edit", "invite", "delete"):
        return "ok" if role == "owner" else "404"  # the first item is the owner's
    # follow
    if role == "anonymous":
        return "login"
    if role == "owner":
        return "refused"
    return "ok" if member or visibility != "private" else "404"


def changed(action, playlist, before_order, admin_user) -> bool:
    """Did the action leave its mark on the playlist?"""
    if action == "delete":
        return not Playlist.objects.filter(pk=playlist.pk).exists()
    playlist.refresh_from_db()
    now = order(playlist)
    return {
        "view": True,
        "add": len(now) == 4,
        "move": now[0] == before_order[2],
        "remove": len(now) == 2,
        "edit": playlist.title == "Renamed",
        "invite": playlist.collaborator_set.filter(user=admin_user).exists(),
        "follow": PlaylistFollow.objects.filter(playlist=playlist).exists(),
    }[action]


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("visibility", VISIBILITIES)
@pytest.mark.parametrize("role", ROLES)
def test_permissions(role, visibility, action, as_role, make_playlist, tracks, admin_user):
    playlist = make_playlist(visibility)
    before = order(playlist)
    client = as_role(role)

    response = perform(client, action, playlist, tracks)

    outcome = expected(role, visibility, action)
    if outcome == "ok":
        assert response.status_code in (200, 302), response.content[:300]
        assert changed(action, playlist, before, admin_user)
    elif outcome == "404":
        assert response.status_code == 404
        if action != "view":
            assert Playlist.objects.filter(pk=playlist.pk).exists()
            assert not changed(action, playlist, before, admin_user)
    elif outcome == "login":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
        assert not changed(action, playlist, before, admin_user)
    else:
        assert response.status_code == 400
        assert b"your own playlist" in response.content
        assert not changed(action, playlist, before, admin_user)


def test_a_collaborator_removes_a_track_they_added_but_not_the_owners(
    client, make_playlist, collaborator, tracks
):
    playlist = make_playlist("private")
    client.force_login(collaborator)
    client.post(
        reverse("playlists:add"), {"playlist": playlist.public_id, "track": tracks[3].public_id}
    )
    theirs = playlist.items.get(track=tracks[3])
    owners = playlist.items.get(track=tracks[0])
    url = reverse("playlists:remove", args=[playlist.public_id])

    assert client.post(url, {"item": owners.id}).status_code == 404
    assert client.post(url, {"item": theirs.id}).status_code == 302

    assert order(playlist) == ["Song 1", "Song 2", "Song 3"]


@pytest.mark.parametrize("role", ["collaborator", "other", "anonymous"])
def test_a_taken_down_playlist_is_gone_for_everyone_but_its_owner(role, as_role, make_playlist):
    playlist = make_playlist("public")
    Playlist.objects.filter(pk=playlist.pk).update(taken_down_at=timezone.now())
    assert as_role(role).get(playlist.get_absolute_url()).status_code == 404


def test_the_owner_sees_their_taken_down_playlist_but_cannot_add(
    client, fan, make_playlist, tracks
):
    playlist = make_playlist("public")
    Playlist.objects.filter(pk=playlist.pk).update(
        taken_down_at=timezone.now(), takedown_reason="Spam"
    )
    client.force_login(fan)
    page = client.get(playlist.get_absolute_url())
    assert page.status_code == 200
    assert b"taken down" in page.content
    add = {"playlist": playlist.public_id, "track": tracks[3].public_id}
    assert client.post(reverse("playlists:add"), add).status_code == 404


def test_every_write_needs_the_csrf_token(fan, make_playlist, tracks):
    playlist = make_playlist("public")
    client = Client(enforce_csrf_checks=True)
    client.force_login(fan)
    item = playlist.items.order_by("rank").first()
    response = client.post(reverse("playlists:move", args=[playlist.public_id]), {"item": item.id})
    assert response.status_code == 403
    assert order(playlist) == ["Song 1", "Song 2", "Song 3"]


@pytest.mark.django_db
def test_a_suspended_persons_profile_and_playlists_are_hidden_but_not_from_staff(
    client, fan, outsider, admin_user, make_playlist
):
    """Found by the permission matrix (tests/security): suspension hides a person's public
    content, their fan profile and public playlists too (nothing is deleted)."""
    playlist = make_playlist("public")
    profile = reverse("playlists:profile", args=[fan.username])
    embed = reverse("embed:playlist", args=[playlist.public_id])
    type(fan).objects.filter(pk=fan.pk).update(suspended_at=timezone.now())

    for viewer in (None, outsider):
        if viewer:
            client.force_login(viewer)
        assert client.get(profile).status_code == 404
        assert client.get(playlist.get_absolute_url()).status_code == 404
        assert client.get(embed).status_code == 404
    client.force_login(admin_user)
    assert client.get(profile).status_code == 200
    assert client.get(playlist.get_absolute_url()).status_code == 200
    assert Playlist.objects.filter(pk=playlist.pk).exists()
