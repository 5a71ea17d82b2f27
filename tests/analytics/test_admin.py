"""Moderators see flagged plays in the admin; nobody else does."""

import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from analytics.models import PlayEvent
from tests.factories import TrackFactory

pytestmark = pytest.mark.django_db


def play_event(track, **fields):
    return PlayEvent.objects.create(
        nonce=uuid.uuid4().hex,
        track=track,
        artist_id=track.artist_id,
        release_id=track.release_id,
        listener_key="a:0123456789abcdef",
        started_at=timezone.now(),
        **fields,
    )


def test_staff_see_flagged_plays_with_their_reason(
    client, admin_user, django_assert_max_num_queries
):
    track = TrackFactory(title="Harbour")
    for _ in range(5):
        play_event(track, flagged=True, flag_reason="bot user agent")
    play_event(track, counted=True, heard_seconds=31)
    client.force_login(admin_user)
    url = reverse("admin:analytics_playevent_changelist")
    with django_assert_max_num_queries(12):
        page = client.get(url, {"flagged__exact": "1"})
    assert page.status_code == 200
    assert page.content.count(b"bot user agent") == 5
    assert b"6 play events" not in page.content and b"5 play events" in page.content


def test_people_who_are_not_staff_cannot_see_plays(client, fan):
    client.force_login(fan)
    response = client.get(reverse("admin:analytics_playevent_changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
