"""Unique listeners: exact per day, exact (SQLite) or estimated within 1.6 % (PostgreSQL)
over ranges, and the same after a rebuild from raw events."""

import random
from datetime import UTC, date, datetime

import numpy as np
import pytest
from django.db import connection

from analytics import listeners, services, sketches
from analytics.models import DailyCount, ListenerDay, ListenerSketch, Metric, Scope
from tests.analytics.plays import listen
from tests.factories import ReleaseFactory, TrackFactory

DAY1 = datetime(2026, 11, 20, 12, tzinfo=UTC)


def keys(n, prefix="a:"):
    return [f"{prefix}{i:016x}" for i in range(n)]


@pytest.fixture
def sketch_of(db):
    """A sketch of some listener keys, hashed as the drain and the rebuild hash them."""
    if connection.vendor != "postgresql":
        pytest.skip("sketches are PostgreSQL's (the embedded default counts exactly)")

    def make(listener_keys):
        with connection.cursor() as cursor:
            pairs = sketches.registers_of(cursor, listener_keys)
        return sketches.add(sketches.empty(), [pairs[key] for key in listener_keys])

    return make


@pytest.mark.parametrize("n", [20_000, 100_000])
def test_a_sketch_estimates_many_listeners_within_five_percent(sketch_of, n):
    estimate = sketches.estimate(sketch_of(keys(n)))
    assert abs(estimate - n) / n < 0.05


@pytest.mark.parametrize("n", [0, 1, 2, 10, 100, 500])
def test_small_counts_are_exact_or_nearly(sketch_of, n):
    estimate = sketches.estimate(sketch_of(keys(n, prefix="u:")))
    assert abs(estimate - n) <= max(1, n * 0.02)


def test_a_union_is_the_sketch_of_everyone_and_adding_twice_changes_nothing(sketch_of):
    everyone = keys(30_000)
    monday, tuesday = sketch_of(everyone[:20_000]), sketch_of(everyone[10_000:])
    both = sketches.union([monday.tobytes(), tuesday.tobytes()])
    assert (both == sketch_of(everyone)).all()
    assert (sketches.union([both.tobytes(), sketch_of(everyone[:500]).tobytes()]) == both).all()
    assert abs(sketches.estimate(both) - 30_000) < 1_500


@pytest.fixture
def tracks(db):
    release = ReleaseFactory()
    return [TrackFactory(artist=release.artist, release=release, duration=200.0) for _ in range(3)]


def state():
    """Every listener number the dashboards read."""
    daily = sorted(
        DailyCount.objects.filter(metric=Metric.LISTENERS).values_list(
            "scope", "scope_id", "day", "value"
        )
    )
    kept = sorted(
        ListenerSketch.objects.values_list("scope", "scope_id", "day", "registers")
        if listeners.sketched()
        else ListenerDay.objects.values_list("scope", "scope_id", "day", "listener_key")
    )
    return daily, [tuple(bytes(v) if isinstance(v, memoryview) else v for v in r) for r in kept]


def test_listeners_per_day_are_exact_and_a_range_counts_each_listener_once(tracks):
    first, second, third = tracks
    for day in range(3):  # the same 3 listeners each day, plus one new a day
        issued = int(DAY1.timestamp()) + day * 86400
        for n in (*range(3), 10 + day):
            listen(first if n % 2 else second, issued=issued, listener=f"a:{n}")
        listen(third, seconds=5, issued=issued, listener="a:skipper")  # not counted
    listen(first, issued=int(DAY1.timestamp()), listener="a:0")  # again: still one a day
    services.drain_beacons()
    artist = first.artist_id
    daily = DailyCount.objects.filter(scope=Scope.ARTIST, scope_id=artist, metric="listeners")
    assert sorted(daily.values_list("value", flat=True)) == [4, 4, 4]
    start, end = date(2026, 11, 20), date(2026, 11, 22)
    assert listeners.unique(scope=Scope.ARTIST, scope_id=artist, start=start, end=end) == 6
    assert listeners.unique(scope=Scope.TRACK, scope_id=third.pk, start=start, end=end) == 0
    assert listeners.unique(scope=Scope.TRACK, scope_id=first.pk, start=start, end=start) == 2


def test_a_rebuild_gives_the_very_same_listener_numbers(tracks):
    rng = random.Random(7)
    for _ in range(3):
        for _ in range(60):
            listen(
                rng.choice(tracks),
                seconds=rng.choice([5, 31, 31, 120]),
                issued=int(DAY1.timestamp()) + rng.randrange(4 * 86400),
                listener=f"a:{rng.randrange(25)}",
            )
        services.drain_beacons()
    kept = state()
    assert kept[0] and kept[1]
    listeners.rebuild()
    assert state() == kept
    listeners.rebuild()
    assert state() == kept
    listeners.rebuild(since=date(2026, 11, 22))
    assert state() == kept


def test_the_rebuild_counts_each_listener_once_per_id_and_day_and_sketches_them():
    rng = np.random.default_rng(3)
    hashes = rng.integers(-(2**63), 2**63 - 1, size=5_000, dtype=np.int64)
    ids = np.repeat([7, 9], 2_500).astype(np.int64)
    days = np.tile([100, 101], 2_500).astype(np.int64)
    repeated = np.concatenate([hashes, hashes[:1_000]])  # 1,000 listeners played twice
    ids, days = np.concatenate([ids, ids[:1_000]]), np.concatenate([days, days[:1_000]])
    got_ids, got_days, counts, registers = sketches.per_day(ids, days, repeated)
    assert (got_ids.tolist(), got_days.tolist(), counts.tolist()) == (
        [7, 7, 9, 9],
        [100, 101, 100, 101],
        [1_250] * 4,
    )
    for sketch, count in zip(registers, counts, strict=True):
        assert abs(sketches.estimate(sketch) - count) <= count * 0.05
