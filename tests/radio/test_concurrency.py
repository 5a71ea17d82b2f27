"""Double clicks and parallel posts on PostgreSQL, each request on its own database connection:
a like clicked four times at once is one like and no 500, and twelve comments posted at once
pass the five-a-minute limit five times, not seven."""

import threading

import pytest
from django.db import connection, connections
from django.test import Client

from radio import services
from radio.models import Feedback, TimedComment, TrackRadioScore
from tests.factories import TrackFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real row locks"),
]


def at_once(count: int, request) -> list:
    """Call `request` from `count` threads released together; their answers (or errors)."""
    start = threading.Barrier(count)
    answers: list = [None] * count

    def run(i):
        try:
            start.wait()
            answers[i] = request()
        except Exception as error:  # the test shows what went wrong
            answers[i] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return answers


def signed_in(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def test_a_like_clicked_four_times_at_once_is_one_like_and_no_error(fan):
    track = TrackFactory(renditions=False, duration=200.0)
    play = services.record_radio_play(track=track, listener_key=f"u:{fan.pk}", user=fan)

    for _ in range(5):  # a race may be won by luck once: five rounds
        Feedback.objects.all().delete()
        TrackRadioScore.objects.filter(track=track).update(likes=0)
        clients = [signed_in(fan) for _ in range(4)]
        answers = at_once(
            4,
            lambda clients=clients: clients.pop().post(
                f"/radio/play/{play.pk}/feedback", {"kind": "like"}
            ),
        )

        assert [answer.status_code for answer in answers] == [200, 200, 200, 200]
        assert Feedback.objects.filter(play=play, kind="like").count() == 1
        assert TrackRadioScore.objects.get(track=track).likes == 1


def test_twelve_comments_posted_at_once_save_five(fan):
    track = TrackFactory(renditions=False, duration=200.0)
    clients = [signed_in(fan) for _ in range(12)]

    answers = at_once(
        12,
        lambda: clients.pop().post(
            f"/radio/track/{track.public_id}/comments", {"at": "0:10", "body": "first!"}
        ),
    )

    assert sorted(answer.status_code for answer in answers) == [302] * 5 + [429] * 7
    assert TimedComment.objects.count() == 5
