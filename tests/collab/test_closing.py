"""Calls close at their deadline (the beat task) or by hand; waiting applicants are told once."""

import pytest
from django.conf import settings
from django.core import mail

from collab.models import Application, Call
from collab.tasks import close_expired_calls
from notifications.models import Notification

from .factories import ApplicationFactory, CallFactory, days_ahead

pytestmark = pytest.mark.django_db


def test_the_task_closes_calls_past_their_deadline_and_tells_waiting_applicants(
    django_capture_on_commit_callbacks,
):
    expired = CallFactory(title="Old call", deadline=days_ahead(-1))
    today = CallFactory(title="Last day", deadline=days_ahead(0))
    waiting = ApplicationFactory(call=expired)
    shortlisted = ApplicationFactory(call=expired, status=Application.Status.SHORTLISTED)
    accepted = ApplicationFactory(call=expired, status=Application.Status.ACCEPTED)
    ApplicationFactory(call=today)

    with django_capture_on_commit_callbacks(execute=True):
        closed = close_expired_calls.delay().get()

    assert closed == 1
    expired.refresh_from_db()
    today.refresh_from_db()
    assert (expired.status, today.status) == (Call.Status.CLOSED, Call.Status.OPEN)
    assert expired.closed_at is not None
    told = set(Notification.objects.values_list("user", flat=True))
    assert told == {waiting.applicant.user_id, shortlisted.applicant.user_id}
    assert accepted.applicant.user_id not in told
    assert "“Old call”" in Notification.objects.first().text
    assert len(mail.outbox) == 2


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
    assert Notification.objects.count() == 1


def test_decisions_stop_once_a_call_is_closed(artist_client, poster):
    call = CallFactory(poster=poster, status=Call.Status.CLOSED)
    application = ApplicationFactory(call=call)

    refused = artist_client.post(f"/collab/answers/{application.id}/accept")

    assert refused.status_code == 409 and "This call is closed" in refused.content.decode()


def test_the_task_is_in_the_beat_schedule():
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "collab.close_expired_calls" in tasks
