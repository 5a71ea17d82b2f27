"""Double clicks and races on PostgreSQL, each request on its own connection: one answer per
artist, one close, and each applicant told once."""

import pytest
from django.db import connection
from django.test import Client

from collab import services
from collab.models import Application, Call
from notifications.models import Notification
from tests.radio.test_concurrency import at_once

from .factories import ApplicationFactory, CallFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real row locks"),
]


def signed_in(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def test_an_answer_sent_four_times_at_once_is_one_answer_and_no_error(poster, singer):
    call = CallFactory(poster=poster)
    clients = [signed_in(singer.user) for _ in range(4)]

    answers = at_once(
        4, lambda: clients.pop().post(f"/collab/calls/{call.id}/answer", {"message": "Hi"})
    )

    assert sorted(a.status_code for a in answers) == [302, 409, 409, 409]
    assert Application.objects.count() == 1
    assert Notification.objects.filter(user=poster.user).count() == 1


def test_the_poster_and_the_task_closing_at_once_close_once_and_tell_the_poster_once(poster):
    call = CallFactory(poster=poster)
    ApplicationFactory.create_batch(3, call=call)
    clients = [signed_in(poster.user) for _ in range(2)]
    closers = [
        lambda: services.close_call(call_id=call.id, at_deadline=True),
        lambda: services.close_call(call_id=call.id, at_deadline=True),
        *[lambda c=c: c.post(f"/collab/calls/{call.id}/close").status_code for c in clients],
    ]

    answers = at_once(4, lambda: closers.pop()())

    assert not [a for a in answers if isinstance(a, Exception)]
    assert answers.count(True) <= 1  # at most one service call did the closing
    assert Call.objects.get().status == Call.Status.CLOSED
    # Applicants wait for the poster's decision; the poster hears of it once if the task won.
    assert Notification.objects.exclude(user=poster.user).count() == 0
    assert Notification.objects.count() == answers.count(True)


def test_two_runs_at_the_end_of_the_grace_period_tell_each_waiting_applicant_once(poster):
    import datetime

    from django.utils import timezone

    from collab.models import DECISION_GRACE

    call = CallFactory(poster=poster)
    ApplicationFactory.create_batch(3, call=call)
    Call.objects.filter(id=call.id).update(
        status=Call.Status.CLOSED,
        closed_at=timezone.now() - DECISION_GRACE - datetime.timedelta(hours=1),
    )

    answers = at_once(3, lambda: services.tell_waiting_applicants(call_id=call.id))

    assert answers.count(True) == 1
    assert Notification.objects.count() == 3
