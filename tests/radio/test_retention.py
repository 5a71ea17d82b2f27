"""Anonymous listeners' stations and affinities are forgotten two days after they were last
heard (daily beat task); their radio plays and feedback stay for the artists' figures."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from radio import services, tasks
from radio.models import Feedback, ListenerAffinity, RadioPlay, RadioSession, StationKind

pytestmark = pytest.mark.django_db


def station(listener_key: str, *, days_ago: float, picked_days_ago: float | None = None):
    session = RadioSession.objects.create(listener_key=listener_key, kind=StationKind.DISCOVERY)
    now = timezone.now()
    RadioSession.objects.filter(pk=session.pk).update(
        created_at=now - timedelta(days=days_ago),
        last_pick_at=None if picked_days_ago is None else now - timedelta(days=picked_days_ago),
    )
    return session


def liked(session, track, *, days_ago: float):
    play = services.record_radio_play(
        track=track, listener_key=session.listener_key, user=None, session=session
    )
    RadioPlay.objects.filter(pk=play.pk).update(
        started_at=timezone.now() - timedelta(days=days_ago)
    )
    services.record_feedback(play=play, kind="like")
    return play


def affinity_keys() -> set[str]:
    return set(ListenerAffinity.objects.values_list("listener_key", flat=True))


def test_anonymous_listeners_gone_for_two_days_are_forgotten_but_their_plays_count(catalogue, fan):
    gone = station("a:gone", days_ago=3, picked_days_ago=2.5)
    gone_play = liked(gone, catalogue[0], days_ago=2.5)
    still_here = station("a:back", days_ago=4, picked_days_ago=0.5)
    liked(still_here, catalogue[1], days_ago=0.5)
    new = station("a:new", days_ago=0.1)
    member = station(f"u:{fan.pk}", days_ago=30, picked_days_ago=30)
    liked(member, catalogue[2], days_ago=30)
    assert affinity_keys() == {"a:gone", "a:back", f"u:{fan.pk}"}

    assert tasks.prune_anonymous() == (1, 2)  # a station; an artist and a genre affinity

    assert set(RadioSession.objects.values_list("pk", flat=True)) == {
        still_here.pk,
        new.pk,
        member.pk,
    }
    assert affinity_keys() == {"a:back", f"u:{fan.pk}"}
    gone_play.refresh_from_db()
    assert gone_play.session_id is None  # the play stays, for the artist's figures
    assert Feedback.objects.filter(play=gone_play, kind="like").exists()
    assert RadioPlay.objects.count() == 3


def test_pruning_runs_daily_from_beat():
    entries = [
        e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "radio.prune_anonymous"
    ]
    assert len(entries) == 1
    schedule = entries[0]["schedule"]
    assert (schedule.hour, schedule.minute) == ({1}, {45})
