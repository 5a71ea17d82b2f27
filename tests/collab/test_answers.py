"""Answering a call, and the poster's decisions: who sees what, who may do what, who is told."""

import pytest
from django.core import mail

from collab.models import Application, Call
from messaging.models import Block
from notifications.models import Notification
from tests.factories import ArtistFactory, TrackFactory
from tracks.models import Visibility

from .factories import ApplicationFactory, CallFactory, days_ahead, signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def call(poster):
    return CallFactory(poster=poster, title="Vocalist for Night Bus")


def answer(client, call, message="I sing low and slow.", tracks=()):
    return client.post(
        f"/collab/calls/{call.id}/answer", {"message": message, "tracks": [t.id for t in tracks]}
    )


def test_an_artist_answers_with_their_tracks_and_the_poster_is_told(
    call, poster, singer, django_capture_on_commit_callbacks
):
    demo = TrackFactory(artist=singer, title="Low Tide Demo")

    with django_capture_on_commit_callbacks(execute=True):
        sent = answer(signed_in(singer.user), call, tracks=[demo])

    assert sent.status_code == 302
    application = Application.objects.get()
    assert (application.applicant, list(application.tracks.all())) == (singer, [demo])
    note = Notification.objects.get(user=poster.user)
    assert note.text == "Ana Voz answered your call “Vocalist for Night Bus”."
    assert note.url == f"/collab/calls/{call.id}/"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [poster.user.email]
    poster_page = signed_in(poster.user).get(f"/collab/calls/{call.id}/").content.decode()
    assert "I sing low and slow." in poster_page and "Low Tide Demo" in poster_page


def test_only_the_poster_sees_the_answers(call, singer, fan, client):
    ApplicationFactory(call=call, applicant=singer, message="Singer secret pitch")
    other = ApplicationFactory(call=call, message="Another pitch")

    for viewer in (client, signed_in(fan), signed_in(ArtistFactory().user)):
        page = viewer.get(f"/collab/calls/{call.id}/").content.decode()
        assert "secret pitch" not in page and "Another pitch" not in page
    own = signed_in(singer.user).get(f"/collab/calls/{call.id}/").content.decode()
    assert "Singer secret pitch" in own and "Another pitch" not in own
    assert other.applicant.name not in own


def test_a_fan_cannot_answer(call, fan):
    sent = answer(signed_in(fan), call)
    assert sent.status_code == 403 and "Create my artist profile" in sent.content.decode()
    assert not Application.objects.exists()


def test_a_second_answer_is_refused_with_a_message(call, singer):
    client = signed_in(singer.user)
    answer(client, call)

    again = answer(client, call, message="Me again")

    assert again.status_code == 409
    assert "You already answered this call" in again.content.decode()
    assert Application.objects.get().message == "I sing low and slow."


def test_nobody_answers_their_own_call(call, artist_client):
    sent = answer(artist_client, call)
    assert sent.status_code == 409 and "This is your own call" in sent.content.decode()
    assert not Application.objects.exists()


@pytest.mark.parametrize("who_blocks", ["poster", "singer"])
def test_blocking_either_way_stops_an_answer(call, poster, singer, who_blocks):
    blocker, blocked = (poster, singer) if who_blocks == "poster" else (singer, poster)
    Block.objects.create(blocker=blocker.user, blocked=blocked.user)

    sent = answer(signed_in(singer.user), call)

    assert sent.status_code == 409 and "You cannot answer this call" in sent.content.decode()
    assert not Application.objects.exists()


@pytest.mark.parametrize("changes", [{"status": Call.Status.CLOSED}, {"deadline": days_ahead(-1)}])
def test_a_closed_or_expired_call_takes_no_answers(call, singer, changes):
    Call.objects.filter(id=call.id).update(**changes)

    sent = answer(signed_in(singer.user), call)

    assert sent.status_code == 409
    assert "This call is closed" in sent.content.decode()
    assert not Application.objects.exists()


def test_an_answer_links_only_the_applicants_own_listed_tracks(call, singer):
    client = signed_in(singer.user)
    for track in (
        TrackFactory(artist=ArtistFactory()),  # someone else's
        TrackFactory(artist=singer, visibility=Visibility.PRIVATE),
        TrackFactory(artist=singer, visibility=Visibility.UNLISTED),
    ):
        refused = answer(client, call, tracks=[track])
        assert refused.status_code == 422
        assert "You can only link your own public tracks." in refused.content.decode()
    assert not Application.objects.exists()


def test_an_answer_links_at_most_five_tracks(call, singer):
    tracks = [TrackFactory(artist=singer) for _ in range(6)]
    refused = answer(signed_in(singer.user), call, tracks=tracks)
    assert refused.status_code == 422 and "Pick at most 5 tracks" in refused.content.decode()
    assert answer(signed_in(singer.user), call, tracks=tracks[:5]).status_code == 302


@pytest.mark.parametrize(
    ("message", "error"), [("", "This field is required"), ("x" * 3001, "at most 3000")]
)
def test_an_empty_or_oversized_message_is_refused(call, singer, message, error):
    refused = answer(signed_in(singer.user), call, message=message)
    assert refused.status_code == 422 and error in refused.content.decode()
    assert not Application.objects.exists()


def test_html_in_a_message_is_shown_as_text_to_the_poster(call, singer, artist_client):
    answer(signed_in(singer.user), call, message="<img src=x onerror=alert(1)> hi")
    page = artist_client.get(f"/collab/calls/{call.id}/").content.decode()
    assert "&lt;img src=x onerror=alert(1)&gt; hi" in page and "<img src=x" not in page


def test_more_than_twenty_answers_a_day_is_refused_with_a_429(singer):
    client = signed_in(singer.user)
    calls = CallFactory.create_batch(21)
    for call in calls[:20]:
        assert answer(client, call).status_code == 302

    refused = answer(client, calls[20])

    assert refused.status_code == 429 and refused["Retry-After"] == str(24 * 3600)
    assert "That is 20 answers today" in refused.content.decode()
    assert Application.objects.count() == 20


@pytest.mark.parametrize(
    ("decision", "status", "told"),
    [
        ("shortlist", "shortlisted", "Mira Sol shortlisted your answer to"),
        ("accept", "accepted", "Mira Sol accepted your answer to"),
        ("decline", "declined", "Mira Sol declined your answer to"),
    ],
)
def test_the_poster_decides_and_the_applicant_is_told_in_the_app_and_by_email(
    call, singer, artist_client, decision, status, told, django_capture_on_commit_callbacks
):
    application = ApplicationFactory(call=call, applicant=singer)

    with django_capture_on_commit_callbacks(execute=True):
        done = artist_client.post(f"/collab/answers/{application.id}/{decision}")
        artist_client.post(f"/collab/answers/{application.id}/{decision}")  # a double click

    assert done.status_code == 302
    application.refresh_from_db()
    assert application.status == status
    note = Notification.objects.get(user=singer.user)
    assert note.text.startswith(told) and note.url == f"/collab/calls/{call.id}/"
    assert [m.to for m in mail.outbox] == [[singer.user.email]]


def test_nobody_but_the_poster_decides(call, singer, fan, client):
    application = ApplicationFactory(call=call, applicant=singer)
    for other in (signed_in(singer.user), signed_in(ArtistFactory().user), signed_in(fan)):
        assert other.post(f"/collab/answers/{application.id}/accept").status_code == 404
    assert client.post(f"/collab/answers/{application.id}/accept").status_code == 302  # login
    application.refresh_from_db()
    assert application.status == "pending"
    assert not Notification.objects.exists()


def test_a_decided_answer_stays_decided(call, singer, artist_client):
    application = ApplicationFactory(call=call, applicant=singer, status="declined")

    refused = artist_client.post(f"/collab/answers/{application.id}/accept")

    assert refused.status_code == 409 and "already declined" in refused.content.decode()
    application.refresh_from_db()
    assert application.status == "declined"


def test_an_unknown_decision_is_not_found(call, singer, artist_client):
    application = ApplicationFactory(call=call, applicant=singer)
    assert artist_client.post(f"/collab/answers/{application.id}/promote").status_code == 404
    assert artist_client.get(f"/collab/answers/{application.id}/accept").status_code == 405


def test_once_accepted_both_sides_get_a_message_link(call, poster, singer, artist_client):
    application = ApplicationFactory(call=call, applicant=singer)
    singer_client = signed_in(singer.user)
    assert "/messages/with/" not in singer_client.get(f"/collab/calls/{call.id}/").content.decode()

    artist_client.post(f"/collab/answers/{application.id}/accept")

    poster_page = artist_client.get(f"/collab/calls/{call.id}/").content.decode()
    singer_page = singer_client.get(f"/collab/calls/{call.id}/").content.decode()
    assert f'href="/messages/with/ana-voz/?call={call.id}"' in poster_page
    assert "Message Ana Voz" in poster_page
    assert f'href="/messages/with/mira-sol/?call={call.id}"' in singer_page
    assert "Message Mira Sol" in singer_page


def test_the_posters_call_page_is_a_fixed_number_of_queries(
    call, artist_client, django_assert_max_num_queries
):
    for _ in range(15):
        application = ApplicationFactory(call=call)
        application.tracks.set([TrackFactory(artist=application.applicant) for _ in range(3)])
    with django_assert_max_num_queries(12):
        page = artist_client.get(f"/collab/calls/{call.id}/")
    assert page.content.decode().count('class="answer"') == 15
