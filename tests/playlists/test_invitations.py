"""Nobody collaborates without saying yes: an invitation waits in the invitee's library until
they accept or decline it, and gives no rights before that."""

import pytest
from django.urls import reverse

from playlists import selectors, services


@pytest.fixture
def invitation(fan, outsider, tracks):
    """A private playlist of the fan's, with the outsider invited (no answer yet)."""
    playlist = services.create_playlist(owner=fan, title="Night <b>bus</b>", visibility="private")
    services.add_tracks(playlist=playlist, tracks=tracks[:2], by=fan)
    services.invite_collaborator(playlist=playlist, user=outsider)
    return playlist


def test_an_invitee_cannot_change_the_playlist_before_accepting(client, outsider, invitation):
    client.force_login(outsider)
    track = invitation.items.first().track

    assert not selectors.can_edit(user=outsider, playlist=invitation)
    assert not selectors.editable_playlists(user=outsider).exists()
    add = client.post(
        reverse("playlists:add"), {"playlist": invitation.public_id, "track": track.public_id}
    )
    assert add.status_code == 404


def test_the_invitation_waits_in_the_library_and_on_the_playlist_page(client, outsider, invitation):
    client.force_login(outsider)

    library = client.get(reverse("playlists:library")).content.decode()
    page = client.get(invitation.get_absolute_url())

    assert "Invitations to collaborate" in library
    assert "Night &lt;b&gt;bus&lt;/b&gt;" in library and "Night <b>bus</b>" not in library
    assert page.status_code == 200  # private, but the invitee may look before deciding
    assert "invited you to add tracks" in page.content.decode()
    assert "Leave as collaborator" not in page.content.decode()


def test_accepting_lets_the_invitee_add_and_reorder(client, outsider, invitation, tracks):
    client.force_login(outsider)

    response = client.post(reverse("playlists:accept", args=[invitation.public_id]), follow=True)

    assert "You can now add tracks" in response.content.decode()
    assert selectors.can_edit(user=outsider, playlist=invitation)
    add = client.post(
        reverse("playlists:add"), {"playlist": invitation.public_id, "track": tracks[3].public_id}
    )
    assert add.status_code == 302
    assert invitation.items.count() == 3
    again = client.post(reverse("playlists:accept", args=[invitation.public_id]))
    assert again.status_code == 404  # nothing left to accept
    library = client.get(reverse("playlists:library")).content.decode()
    assert "Invitations to collaborate" not in library


def test_declining_forgets_the_invitation_and_a_private_playlist_with_it(
    client, outsider, invitation
):
    client.force_login(outsider)

    response = client.post(reverse("playlists:leave", args=[invitation.public_id]), follow=True)

    assert "You declined the invitation" in response.content.decode()
    assert not invitation.collaborator_set.filter(user=outsider).exists()
    assert client.get(invitation.get_absolute_url()).status_code == 404


@pytest.mark.parametrize("who", ["anonymous", "owner", "stranger"])
def test_only_the_invitee_can_accept(client, fan, collaborator, invitation, who):
    if who != "anonymous":
        client.force_login(fan if who == "owner" else collaborator)

    response = client.post(reverse("playlists:accept", args=[invitation.public_id]))

    assert response.status_code in ((302,) if who == "anonymous" else (404,))
    if who == "anonymous":
        assert response["Location"].startswith(reverse("account_login"))
    assert not selectors.collaborators_of(playlist=invitation)


def test_the_owner_sees_who_has_not_answered_and_can_withdraw(fan, outsider, invitation, client):
    client.force_login(fan)
    url = reverse("playlists:collaborators", args=[invitation.public_id])

    html = client.get(url).content.decode()
    assert "Invited, waiting for an answer" in html and "@outsider" in html

    client.post(
        reverse("playlists:remove_collaborator", args=[invitation.public_id]),
        {"username": "outsider"},
    )
    assert not selectors.invitations_for(user=outsider).exists()
