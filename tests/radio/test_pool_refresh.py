"""Beat's pool refresh (radio.refresh_pools) rebuilds only pools in use: one-off stations,
which anyone can make with a click, cost it nothing once their listeners have moved on."""

from datetime import timedelta
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from radio import picking, services, tasks
from radio.models import PoolTrack, RadioSession, StationKind, StationPool

pytestmark = pytest.mark.django_db


def at(moment):
    return mock.patch("django.utils.timezone.now", return_value=moment)


def pool(key: str) -> StationPool:
    return StationPool.objects.get(key=key)


def test_one_off_stations_cost_the_beat_nothing_once_left(catalogue, rng):
    """Eight 'from a track' stations, one pick each; nobody comes back. The beat used to
    rebuild all eight every ten minutes for a day (443 queries a tick for forty)."""
    for track in catalogue[:8]:
        session = RadioSession.objects.create(
            listener_key="a:clicker", kind=StationKind.TRACK, seed_track=track
        )
        services.next_track(session=session, rng=rng)
    assert StationPool.objects.count() == 8

    with at(timezone.now() + timedelta(minutes=10)):
        assert tasks.refresh_pools() == 8  # still in use
    with at(timezone.now() + timedelta(hours=23)), CaptureQueriesContext(connection) as queries:
        rebuilt = tasks.refresh_pools()

    assert rebuilt == 0
    # the pools in use; the idle pools' rows, and the pools (no rebuild at all)
    assert len(queries) == 3
    assert StationPool.objects.count() == 8  # kept for a day, rebuilt at their next use


def test_pools_in_use_are_rebuilt_older_ones_wait_for_their_next_use_then_go(catalogue):
    now = timezone.now()
    with at(now - timedelta(minutes=5)):
        picking.ensure_pool("discovery")
    with at(now - timedelta(minutes=45)):
        picking.ensure_pool("tag:ambient")
    with at(now - timedelta(hours=25)):
        picking.ensure_pool("tag:techno")
    assert PoolTrack.objects.filter(pool="tag:techno").count() == 12

    with at(now):
        assert tasks.refresh_pools() == 1

    assert pool("discovery").refreshed_at == now
    assert pool("discovery").used_at == now - timedelta(minutes=5)  # a rebuild is not a use
    assert pool("tag:ambient").refreshed_at == now - timedelta(minutes=45)
    assert not StationPool.objects.filter(key="tag:techno").exists()
    assert not PoolTrack.objects.filter(pool="tag:techno").exists()

    # Its next listener rebuilds the stale pool, and it is in use again.
    with at(now + timedelta(minutes=1)):
        picking.ensure_pool("tag:ambient")
    assert pool("tag:ambient").refreshed_at == pool("tag:ambient").used_at
    assert pool("tag:ambient").used_at == now + timedelta(minutes=1)


def test_a_pool_beat_keeps_rebuilding_goes_idle_when_nobody_listens(catalogue):
    now = timezone.now()
    with at(now):
        picking.ensure_pool("discovery")
    rebuilt = []
    for minutes in range(10, 60, 10):
        with at(now + timedelta(minutes=minutes)):
            rebuilt.append(tasks.refresh_pools())

    assert rebuilt == [1, 1, 1, 0, 0]  # used at 0: busy until 30 minutes later
