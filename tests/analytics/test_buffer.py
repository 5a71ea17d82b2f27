"""The Redis buffer delivers every beacon at least once, and delivering twice changes nothing."""

import pytest
from django.urls import reverse

from analytics import buffer, merging, rollups, services
from analytics.models import FallbackDay, PlayEvent, PlayRollup, PlaySession
from tests.analytics.plays import listen
from tests.analytics.test_beacons import closed_port
from tests.factories import TrackFactory

pytestmark = pytest.mark.django_db
ROLLUP = ("scope", "scope_id", "grain", "bucket", "source", *rollups.METRICS)


@pytest.fixture
def track():
    return TrackFactory(duration=200.0)


def everything():
    """What a drain writes: events, sessions and rollups."""
    return (
        list(PlayEvent.objects.values().order_by("nonce")),
        list(PlaySession.objects.values("nonce", "beacons").order_by("nonce")),
        sorted(PlayRollup.objects.values_list(*ROLLUP)),
    )


def die_before_ack(monkeypatch):
    """The drain commits, then its process is killed before it acknowledges the batch."""
    monkeypatch.setattr(buffer, "ack", lambda batch: None)


def restart(monkeypatch, settings):
    """A new drain process (another consumer); entries left unacknowledged are claimable."""
    monkeypatch.undo()
    monkeypatch.setattr(buffer, "consumer", lambda: "restarted:1")
    settings.BEACON_REDELIVER_AFTER = 0


def test_a_batch_drained_but_never_acknowledged_is_redelivered_and_changes_nothing(
    track, redis_buffer, monkeypatch, settings
):
    counted = listen(track, seconds=31)
    listen(track, seconds=12)
    die_before_ack(monkeypatch)
    assert services.drain_beacons(batch=100) == 6
    after_first = everything()
    assert buffer.in_flight() == 6  # read, committed, not acknowledged

    restart(monkeypatch, settings)
    assert services.drain_beacons(batch=100) == 6  # delivered again...
    assert everything() == after_first  # ...and nothing moved
    assert PlayEvent.objects.get(counted=True).nonce == counted
    assert (buffer.waiting(), buffer.in_flight()) == (0, 0)
    hour = PlayRollup.objects.get(scope="t", grain="h")
    assert (hour.streams, hour.plays) == (2, 1)


def test_a_drain_that_fails_before_committing_leaves_its_beacons_for_the_next(
    track, redis_buffer, monkeypatch
):
    listen(track, seconds=31)

    def crash(entries):
        raise RuntimeError("worker lost its database")

    monkeypatch.setattr(merging, "merge_batch", crash)
    with pytest.raises(RuntimeError):
        services.drain_beacons(batch=100)
    assert not PlayEvent.objects.exists() and buffer.in_flight() == 3
    monkeypatch.undo()
    assert services.drain_beacons(batch=100) == 3  # the same process re-reads its own first
    assert PlayEvent.objects.get().counted
    assert (buffer.waiting(), buffer.in_flight()) == (0, 0)


def test_another_drain_does_not_take_beacons_a_live_one_is_still_working_on(
    track, redis_buffer, monkeypatch, settings
):
    listen(track, seconds=31)
    die_before_ack(monkeypatch)
    services.drain_beacons(batch=100)
    monkeypatch.setattr(buffer, "consumer", lambda: "other:2")
    settings.BEACON_REDELIVER_AFTER = 60
    assert services.drain_beacons(batch=100) == 0
    assert buffer.in_flight() == 3


def test_rollups_after_redelivery_equal_a_rebuild(track, redis_buffer, monkeypatch, settings):
    for n in range(5):
        listen(track, seconds=[3, 31, 100, 199, 40][n], listener=f"a:{n}", source="embed",
               origin="https://blog.example")  # fmt: skip
    die_before_ack(monkeypatch)
    services.drain_beacons(batch=7)  # a batch that splits plays
    restart(monkeypatch, settings)
    services.drain_buffer(batch=7)
    kept = everything()[2]
    rollups.rebuild()
    assert everything()[2] == kept
    assert PlayEvent.objects.filter(counted=True).count() == 4


def test_the_fallback_count_outlives_the_drain_and_shows_in_the_admin(
    track, settings, client, admin_user
):
    settings.REDIS_URL = f"redis://127.0.0.1:{closed_port()}/11"
    listen(track, seconds=31)  # Redis is down: three beacons into the table
    assert services.drain_beacons(batch=100) == 3
    assert PlayEvent.objects.get().counted
    assert buffer.fallback_count() == 3  # still known after draining
    assert FallbackDay.objects.get().beacons == 3
    client.force_login(admin_user)
    page = client.get(reverse("admin:analytics_fallbackday_changelist"))
    assert page.status_code == 200 and b'<td class="field-beacons">3</td>' in page.content


def test_the_embedded_default_is_not_counted_as_a_fallback(track):
    listen(track)
    assert buffer.fallback_count() == 0
