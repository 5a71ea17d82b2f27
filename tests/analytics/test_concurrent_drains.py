"""Two drains at once (two worker processes) share the work and lose nothing (PostgreSQL)."""

import threading

import pytest
from django.db import connection, connections

from analytics import buffer, listeners, rollups, services
from analytics.models import ListenerDay, PlayEvent, PlayRollup, PlaySession
from tests.analytics.plays import listen
from tests.factories import TrackFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs row locks"),
]
ROLLUP = ("scope", "scope_id", "grain", "bucket", "source", *rollups.METRICS)


def test_two_drains_draining_the_same_plays_at_once_count_each_once(redis_buffer, monkeypatch):
    tracks = [TrackFactory(duration=200.0) for _ in range(3)]
    for n in range(150):
        listen(tracks[n % 3], seconds=(31, 12, 190)[n % 3], listener=f"a:{n}", ip=f"ip{n}")
    # Each drain its own consumer; batches of 7 split plays between the two.
    names = {}
    monkeypatch.setattr(buffer, "consumer", lambda: names[threading.get_ident()])
    errors, drained = [], {}

    def drain(name):
        names[threading.get_ident()] = name
        try:
            drained[name] = services.drain_buffer(batch=7, seconds=60)
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=drain, args=(f"drain:{n}",)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sum(drained.values()) == 450 and all(drained.values())  # both took a share
    assert (buffer.waiting(), buffer.in_flight()) == (0, 0)
    assert PlayEvent.objects.count() == PlaySession.objects.count() == 150
    assert all(len(b) == 3 for b in PlaySession.objects.values_list("beacons", flat=True))
    assert PlayEvent.objects.filter(counted=True).count() == 100
    kept = sorted(PlayRollup.objects.exclude(streams=0).values_list(*ROLLUP))
    days = sorted(ListenerDay.objects.values_list("scope", "scope_id", "day", "listener_key"))
    rollups.rebuild()
    listeners.rebuild()
    assert sorted(PlayRollup.objects.exclude(streams=0).values_list(*ROLLUP)) == kept
    assert (
        sorted(ListenerDay.objects.values_list("scope", "scope_id", "day", "listener_key")) == days
    )
