"""Calls close at their deadline (the beat task) or by hand: closing stops new answers only.
The poster decides for DECISION_GRACE more; then the applicants still waiting are told, once."""

import datetime

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from collab.models import DECISION_GRACE, Application, Call
from collab.tasks import close_expired_calls
from notifications.models import Notification

from .factories import ApplicationFactory, CallFactory, days_ahead

pytestmark = pytest.mark.django_db


def closed_ago(call: Call, delta: datetime.timedelta) -> None:
    Call.objects.filter(id=call.id).update(
        status=Call.Status.CLOSED, closed_at=timezone.now() - delta
    )


def test_the_task_closes_calls_past_their_deadline_and_tells_the_poster_what_waits(
    django_capture_on_commit_callbacks,
):
    expired = CallFactory(title="Old call", deadline=days_ahead(-1))
    today = CallFactory(title="Last day", deadline=days_ahead(0))
    ApplicationFactory(call=expired)
    ApplicationFactory(call=expired, status=Application.Status.SHORTLISTED)
    ApplicationFactory(call=expired, status=Application.Status.ACCEPTED)
    ApplicationFactory(call=today)

    with django_capture_on_commit_callbacks(execute=True):
        closed = close_expired_calls.delay().get()

    assert closed == 1
    expired.refresh_from_db()
    today.refresh_from_db()
    assert (expired.status, today.status) == (Call.Status.CLOSED, Call.Status.OPEN)
    assert expired.closed_at is not None
    told = Notification.objects.get()  # the poster only: applicants wait for the decision
    assert told.user_id == expired.poster.user_id
    assert "“Old call” reached its deadline and closed. 2 answers still wait" in told.text
    assert len(mail.outbox) == 1


def test_running_it_again_changes_nothing():
    ApplicationFactory(call=CallFactory(deadline=days_ahead(-3)))

    assert close_expired_calls.delay().get() == 1
    assert close_expired_calls.delay().get() == 0

    assert Notification.objects.count() == 1


def test_a_call_closed_by_hand_is_not_closed_again_by_the_task(artist_client, poster):
    call = CallFactory(poster=poster)
    ApplicationFactory(call=call)
    artist_client.post(f"/collab/calls/{call.id}/close")
    Call.objects.filter(id=call.id).update(deadline=days_ahead(-1))

    assert close_expired_calls.delay().get() == 0
    assert not Notification.objects.exists()  # nobody is told yet: the poster may decide


def test_closing_asks_to_confirm_first(artist_client, poster):
    call = CallFactory(poster=poster, title="Close me")

    asked = artist_client.get(f"/collab/calls/{call.id}/close")

    assert asked.status_code == 200
    assert "Close “Close me”?" in asked.content.decode()
    assert "Yes, close this call" in asked.content.decode()
    call.refresh_from_db()
    assert call.status == Call.Status.OPEN
    page = artist_client.get(f"/collab/calls/{call.id}/").content.decode()
    assert f'href="/collab/calls/{call.id}/close"' in page


def test_the_poster_still_decides_during_the_grace_period(artist_client, poster):
    call = CallFactory(poster=poster, deadline=days_ahead(-2))
    application = ApplicationFactory(call=call)
    closed_ago(call, DECISION_GRACE - datetime.timedelta(hours=1))

    page = artist_client.get(f"/collab/calls/{call.id}/").content.decode()
    accepted = artist_client.post(f"/collab/answers/{application.id}/accept")

    assert "You can still decide on its answers until" in page
    assert accepted.status_code == 302
    application.refresh_from_db()
    assert application.status == Application.Status.ACCEPTED
    assert "accepted your answer" in Notification.objects.get(user=application.applicant.user).text


def test_a_closed_call_takes_no_new_answers_during_the_grace_period(poster, singer):
    from .factories import signed_in

    call = CallFactory(poster=poster)
    closed_ago(call, datetime.timedelta(days=1))

    sent = signed_in(singer.user).post(f"/collab/calls/{call.id}/answer", {"message": "Hi"})

    assert sent.status_code == 409
    assert not Application.objects.exists()


def test_decisions_stop_when_the_grace_period_ends(artist_client, poster):
    call = CallFactory(poster=poster)
    application = ApplicationFactory(call=call)
    closed_ago(call, DECISION_GRACE + datetime.timedelta(minutes=1))

    refused = artist_client.post(f"/collab/answers/{application.id}/accept")

    assert refused.status_code == 409
    assert "closed more than 14 days ago" in refused.content.decode()
    application.refresh_from_db()
    assert application.status == Application.Status.PENDING


def test_at_the_end_of_the_grace_period_each_waiting_applicant_is_told_once(
    django_capture_on_commit_callbacks,
):
    call = CallFactory(title="Old call")
    waiting = ApplicationFactory(call=call)
    shortlisted = ApplicationFactory(call=call, status=Application.Status.SHORTLISTED)
    ApplicationFactory(call=call, status=Application.Status.ACCEPTED)
    ApplicationFactory(call=call, status=Application.Status.DECLINED)
    closed_ago(call, DECISION_GRACE - datetime.timedelta(hours=1))
    assert close_expired_calls.delay().get() == 0
    assert not Notification.objects.exists()  # the grace period is not over yet

    closed_ago(call, DECISION_GRACE + datetime.timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        close_expired_calls.delay().get()
        close_expired_calls.delay().get()

    told = sorted(Notification.objects.values_list("user", flat=True))
    assert told == sorted([waiting.applicant.user_id, shortlisted.applicant.user_id])
    assert "“Old call”" in Notification.objects.first().text
    assert "closed without an answer" in Notification.objects.first().text
    assert len(mail.outbox) == 2


def test_an_applicant_declined_during_the_grace_period_is_not_told_again(artist_client, poster):
    call = CallFactory(poster=poster)
    application = ApplicationFactory(call=call)
    closed_ago(call, datetime.timedelta(days=1))
    artist_client.post(f"/collab/answers/{application.id}/decline")

    closed_ago(call, DECISION_GRACE + datetime.timedelta(days=1))
    close_expired_calls.delay().get()

    texts = list(Notification.objects.filter(user=application.applicant.user).values_list("text"))
    assert len(texts) == 1 and "declined your answer" in texts[0][0]


def test_the_task_is_in_the_beat_schedule():
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "collab.close_expired_calls" in tasks


def test_only_the_poster_sees_the_close_confirmation_and_the_title_is_escaped(
    artist_client, poster, fan
):
    from tests.factories import ArtistFactory

    from .factories import signed_in

    call = CallFactory(poster=poster, title="<b>Loud</b>")

    asked = artist_client.get(f"/collab/calls/{call.id}/close").content.decode()

    assert "&lt;b&gt;Loud&lt;/b&gt;" in asked and "<b>Loud</b>" not in asked
    for other in (signed_in(fan), signed_in(ArtistFactory().user)):
        assert other.get(f"/collab/calls/{call.id}/close").status_code == 404
