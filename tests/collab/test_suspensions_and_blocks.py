"""Suspended artists neither post nor answer calls; blocks hold for decisions
and the reference track; declined applicants stop hearing the reference track."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from artists.models import Artist
from collab.models import DECISION_GRACE, Application, Call
from messaging.models import Block
from notifications.models import Notification
from tests.factories import TrackFactory
from tracks.models import Visibility

from .factories import ApplicationFactory, CallFactory, days_ahead, signed_in

pytestmark = pytest.mark.django_db

SUSPENDED = "Your artist profile is suspended, so you can’t post or answer calls."


def suspend(artist):
    Artist.objects.filter(id=artist.id).update(is_suspended=True)


def call_form(**changes):
    return {
        "title": "A voice for the chorus",
        "description": "Half a song.",
        "skills": ["vocalist"],
        "genre": "downtempo",
        "remote": "on",
        "compensation": "share",
        "deadline": days_ahead(10).isoformat(),
        **changes,
    }


# --- Suspended artists -------------------------------------------------------------------------


def test_a_suspended_artist_cannot_post_a_call_and_is_told_why(artist_client, poster):
    suspend(poster)

    page = artist_client.get("/collab/calls/new/")
    sent = artist_client.post("/collab/calls/new/", call_form())

    assert page.status_code == 403 and SUSPENDED in page.content.decode()
    assert sent.status_code == 403 and SUSPENDED in sent.content.decode()
    assert not Call.objects.exists()


def test_a_suspended_artist_cannot_answer_a_call_and_the_poster_hears_nothing(poster, singer):
    call = CallFactory(poster=poster)
    suspend(singer)

    sent = signed_in(singer.user).post(f"/collab/calls/{call.id}/answer", {"message": "Hi"})

    assert sent.status_code == 403 and SUSPENDED in sent.content.decode()
    assert not Application.objects.exists()
    assert not Notification.objects.filter(user=poster.user).exists()


def test_the_services_refuse_suspended_artists_too(poster, singer):
    from collab import services

    call = CallFactory(poster=poster)
    suspend(singer)
    singer.refresh_from_db()

    with pytest.raises(services.Suspended):
        services.apply_to_call(call=call, applicant=singer, message="Hi", tracks=[])
    suspend(poster)
    poster.refresh_from_db()
    with pytest.raises(services.Suspended):
        services.post_call(
            poster=poster,
            title="t",
            description="d",
            skills=["vocalist"],
            genre="",
            remote=True,
            place="",
            compensation="share",
            deadline=days_ahead(3),
        )
    assert not Application.objects.exists() and Call.objects.count() == 1


# --- Blocks and decisions ----------------------------------------------------------------------


@pytest.mark.parametrize("decision", ["accept", "shortlist"])
@pytest.mark.parametrize("who_blocks", ["applicant", "poster"])
def test_the_poster_cannot_accept_or_shortlist_across_a_block(
    artist_client, poster, singer, decision, who_blocks
):
    application = ApplicationFactory(call=CallFactory(poster=poster), applicant=singer)
    pair = (singer.user, poster.user)
    blocker, blocked = pair if who_blocks == "applicant" else reversed(pair)
    Block.objects.create(blocker=blocker, blocked=blocked)

    refused = artist_client.post(f"/collab/answers/{application.id}/{decision}")

    assert refused.status_code == 409
    assert "one of you has blocked the other" in refused.content.decode()
    application.refresh_from_db()
    assert application.status == Application.Status.PENDING
    assert not Notification.objects.filter(user=singer.user).exists()


def test_declining_an_applicant_who_blocked_the_poster_goes_through_silently(
    artist_client, poster, singer
):
    application = ApplicationFactory(call=CallFactory(poster=poster), applicant=singer)
    Block.objects.create(blocker=singer.user, blocked=poster.user)

    assert artist_client.post(f"/collab/answers/{application.id}/decline").status_code == 302

    application.refresh_from_db()
    assert application.status == Application.Status.DECLINED
    assert not Notification.objects.filter(user=singer.user).exists()


# --- The reference track -----------------------------------------------------------------------


@pytest.fixture
def call(poster):
    reference = TrackFactory(artist=poster, title="Rough Sketch", visibility=Visibility.PRIVATE)
    return CallFactory(poster=poster, reference_track=reference)


def play(client: Client, call):
    return client.get(f"/collab/calls/{call.id}/reference", HTTP_ACCEPT="application/json")


def hears(client: Client, call) -> bool:
    page = client.get(f"/collab/calls/{call.id}/").content.decode()
    shown = f'data-src="/collab/calls/{call.id}/reference"' in page
    playing = play(client, call).status_code == 200
    assert shown == playing
    return playing


@pytest.mark.parametrize("who_blocks", ["applicant", "poster"])
def test_a_block_stops_the_reference_track_page_play_and_old_links(
    call, poster, singer, who_blocks
):
    ApplicationFactory(call=call, applicant=singer)
    client = signed_in(singer.user)
    src = play(client, call).json()["sources"][0]["src"]
    pair = (singer.user, poster.user)
    blocker, blocked = pair if who_blocks == "applicant" else reversed(pair)

    Block.objects.create(blocker=blocker, blocked=blocked)

    assert not hears(client, call)
    assert client.get(src).status_code == 404


def test_a_declined_applicant_stops_hearing_the_reference_track(call, singer):
    application = ApplicationFactory(call=call, applicant=singer)
    client = signed_in(singer.user)
    src = play(client, call).json()["sources"][0]["src"]

    Application.objects.filter(id=application.id).update(status=Application.Status.DECLINED)

    assert not hears(client, call)
    assert client.get(src).status_code == 404


def test_applicants_hear_the_reference_track_until_the_grace_period_ends(
    call, poster, singer, artist_client
):
    ApplicationFactory(call=call, applicant=singer)
    client = signed_in(singer.user)
    Call.objects.filter(id=call.id).update(
        status=Call.Status.CLOSED, closed_at=timezone.now() - datetime.timedelta(days=3)
    )
    assert hears(client, call)
    src = play(client, call).json()["sources"][0]["src"]

    Call.objects.filter(id=call.id).update(
        closed_at=timezone.now() - DECISION_GRACE - datetime.timedelta(minutes=1)
    )

    assert not hears(client, call)
    assert client.get(src).status_code == 404
    assert hears(artist_client, call)  # the poster keeps their own track
