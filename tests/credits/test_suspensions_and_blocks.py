"""A suspended uploader adds no credit and proposes no split, and blocks hold
for split proposals as they do for credits."""

import pytest
from django.urls import reverse

from artists.models import Artist
from credits.models import Credit, SplitProposal
from messaging.models import Block
from notifications.models import Notification
from tests.credits.factories import CreditFactory

pytestmark = pytest.mark.django_db


def add(client, work, text, role="producer"):
    url = reverse("credits:add", args=["track", work.public_id])
    return client.post(url, {"artist": text, "role": role})


def propose(client, work, text):
    return client.post(reverse("credits:propose", args=["track", work.public_id]), {"splits": text})


def suspend(artist):
    Artist.objects.filter(id=artist.id).update(is_suspended=True)


def test_a_suspended_uploader_cannot_add_credits(artist_client, artist, track, ada):
    suspend(artist)

    response = add(artist_client, track, "ada")

    assert response.status_code in (400, 403, 404)
    assert not Credit.objects.exists()
    assert not Notification.objects.filter(user=ada.user).exists()


def test_the_service_refuses_a_suspended_uploaders_credit_with_a_reason(artist, track, ada):
    from credits import services

    suspend(artist)
    artist.refresh_from_db()

    with pytest.raises(services.CreditError, match="suspended"):
        services.add_credit(work=track, by=artist, artist_text="ada", role="producer")
    assert not Credit.objects.exists()


def test_a_suspended_uploader_cannot_propose_a_split(artist_client, artist, track, ada):
    from django.core.exceptions import ValidationError

    from credits import services

    CreditFactory(track=track, artist=ada)
    suspend(artist)
    artist.refresh_from_db()

    assert propose(artist_client, track, "mira-sol 60\nada 40").status_code in (400, 403, 404)
    with pytest.raises(ValidationError, match="suspended"):
        services.propose_split(work=track, by=artist, text="mira-sol 60\nada 40")
    assert not SplitProposal.objects.exists()
    assert not Notification.objects.filter(user=ada.user).exists()


@pytest.mark.parametrize("who_blocks", ["uploader", "party"])
def test_a_split_cannot_give_a_share_to_someone_blocked_either_way(
    artist_client, artist, track, ada, bo, who_blocks
):
    CreditFactory(track=track, artist=ada)
    CreditFactory(track=track, artist=bo)
    pair = (artist.user, bo.user)
    blocker, blocked = pair if who_blocks == "uploader" else reversed(pair)
    Block.objects.create(blocker=blocker, blocked=blocked)

    response = propose(artist_client, track, "mira-sol 50\nada 30\nbo 20")

    assert response.status_code == 400
    assert (
        "Line 3: you cannot give Bo Ray a share: one of you has blocked the other."
        in response.content.decode()
    )
    assert not SplitProposal.objects.exists()
    assert not Notification.objects.filter(user__in=[ada.user, bo.user]).exists()
