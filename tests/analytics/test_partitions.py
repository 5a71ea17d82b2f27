"""PlayEvent is partitioned by month on PostgreSQL: rows land in their month's table."""

import uuid
from datetime import UTC, datetime

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from analytics import partitions, services
from analytics.models import PlayEvent
from tests.analytics.plays import listen
from tests.factories import TrackFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="SQLite keeps PlayEvent in one table"
    ),
]


def event_at(moment: datetime) -> PlayEvent:
    track = TrackFactory()
    return PlayEvent.objects.create(
        nonce=uuid.uuid4().hex,
        track=track,
        artist_id=track.artist_id,
        listener_key="a:1",
        started_at=moment,
    )


def test_plays_drained_now_land_in_this_months_partition():
    track = TrackFactory(duration=200.0)
    listen(track, issued=int(timezone.now().timestamp()))
    services.drain_beacons()
    event = PlayEvent.objects.get()
    assert event.counted
    assert partitions.partition_of(event.pk) == partitions.name_of(
        partitions.month_of(timezone.now())
    )


def test_a_month_without_a_partition_lands_in_the_default_and_moves_when_created():
    far = datetime(2031, 3, 15, 12, tzinfo=UTC)
    event = event_at(far)
    assert partitions.partition_of(event.pk) == partitions.DEFAULT
    assert partitions.ensure_months(start=far, ahead=0) == ["analytics_playevent_y2031m03"]
    assert partitions.partition_of(event.pk) == "analytics_playevent_y2031m03"
    assert PlayEvent.objects.get(pk=event.pk).started_at == far  # Django still finds it by id
    assert partitions.ensure_months(start=far, ahead=0) == []  # and again: nothing to do


def test_the_boundary_is_midnight_utc_on_the_first():
    partitions.ensure_months(start=datetime(2031, 5, 1, tzinfo=UTC), ahead=1)
    last = event_at(datetime(2031, 5, 31, 23, 59, 59, tzinfo=UTC))
    first = event_at(datetime(2031, 6, 1, tzinfo=UTC))
    assert partitions.partition_of(last.pk) == "analytics_playevent_y2031m05"
    assert partitions.partition_of(first.pk) == "analytics_playevent_y2031m06"


def test_the_command_creates_coming_months_ahead_of_time():
    call_command("create_play_partitions", "--ahead", "3")
    month = partitions.month_of(timezone.now())
    for _ in range(3):
        month = partitions.next_month(month)
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [partitions.name_of(month)])
        assert cursor.fetchone()[0] == partitions.name_of(month)
