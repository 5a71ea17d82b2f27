"""The drain survives being killed mid-flush: every play is counted exactly once.

Thousands of beacons wait in the Redis stream; the real worker drains them in small batches and
is killed (SIGKILL) while a batch is read but not acknowledged. Started again, it claims what
the dead process left, finishes, and the numbers are those of a rebuild from raw events.
"""

import time

import pytest

from analytics import buffer, listeners, rollups
from analytics.models import ListenerDay, PlayEvent, PlayRollup, PlaySession, ReferrerRollup
from tests.analytics.plays import listen
from tests.factories import TrackFactory
from tests.fullstack.conftest import WORKER

pytestmark = [
    pytest.mark.fullstack,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("celery_worker"),
]
PLAYS = 3000  # three beacons each
BATCH = 300  # ~0.1 s a batch: the kill lands inside one


def drain_soon() -> None:
    from analytics.tasks import drain_beacons

    drain_beacons.apply_async(kwargs={"batch": BATCH})


def wait_for(condition, *, timeout: float, every: float = 0.01, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(every)
    pytest.fail(f"timed out waiting for {what}")


def kill_mid_flush(worker) -> tuple[int, int, int]:
    """SIGKILL the worker while a batch is read and not acknowledged, after some batches have
    committed. Returns (beacons in flight, waiting, plays committed) right after the kill."""
    for _ in range(3):
        drain_soon()
        committed = PlayEvent.objects.count()
        wait_for(
            lambda done=committed: (
                PlayEvent.objects.count() >= done + 300 and buffer.in_flight() > 0
            ),
            timeout=60,
            every=0.002,
            what="the drain to commit its first batches",
        )
        worker.kill()
        if buffer.in_flight():
            return buffer.in_flight(), buffer.waiting(), PlayEvent.objects.count()
        worker.start()  # it died between two batches (a window of a millisecond): again
    pytest.fail("three kills in a row landed between two batches")


def tables():
    rollup_fields = ("scope", "scope_id", "grain", "bucket", "source", *rollups.METRICS)
    return (
        sorted(PlayRollup.objects.exclude(streams=0).values_list(*rollup_fields)),
        sorted(ReferrerRollup.objects.exclude(streams=0).values_list(
            "scope", "scope_id", "day", "kind", "ref", "streams", "plays")),
        sorted(ListenerDay.objects.values_list("scope", "scope_id", "day", "listener_key")),
    )  # fmt: skip


def test_a_drain_killed_mid_flush_counts_every_play_exactly_once(request):
    worker = request.config.stash[WORKER]
    redis = buffer._redis()
    redis.delete(buffer.key())
    tracks = [TrackFactory(duration=200.0) for _ in range(10)]
    for n in range(PLAYS):
        listen(tracks[n % 10], seconds=(31, 12, 190)[n % 3], listener=f"a:{n}", ip=f"ip{n}",
               source=("track", "embed")[n % 2], origin="https://blog.example")  # fmt: skip
    assert buffer.waiting() == 3 * PLAYS

    try:
        in_flight, waiting, drained_before = kill_mid_flush(worker)
        assert 0 < drained_before < PLAYS and waiting > in_flight
        worker.start(BEACON_REDELIVER_AFTER="0")  # a new consumer claims the dead one's entries
        for _ in range(10):  # each drains for up to 8 s; those finding the buffer empty return
            drain_soon()
        wait_for(lambda: buffer.waiting() == 0 and buffer.in_flight() == 0, timeout=120,
                 every=0.5, what="the buffer to empty")  # fmt: skip
    finally:
        if worker.process.poll() is not None:  # the other full-stack tests need it
            worker.start()

    assert PlayEvent.objects.count() == PLAYS
    assert PlaySession.objects.count() == PLAYS
    assert all(
        len(beacons) == 3 for beacons in PlaySession.objects.values_list("beacons", flat=True)
    )
    assert PlayEvent.objects.filter(counted=True).count() == 2 * PLAYS // 3
    assert not PlayEvent.objects.filter(flagged=True).exists()
    kept = tables()
    rollups.rebuild()
    listeners.rebuild()
    assert tables() == kept
    print(
        f"killed with {in_flight} beacons in flight, {waiting} waiting, {drained_before} plays in"
    )
