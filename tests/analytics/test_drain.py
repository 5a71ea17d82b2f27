"""Draining buffered beacons into play sessions and events."""

import json
from datetime import UTC, datetime

import pytest
from django.utils import timezone

from analytics import buffer, services
from analytics.models import BufferedBeacon, PlayEvent, PlaySession
from tests.analytics.plays import listen
from tests.factories import TrackFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def track():
    return TrackFactory(duration=200.0)


def snapshot():
    return list(PlayEvent.objects.values().order_by("nonce")), list(
        PlaySession.objects.values("nonce", "beacons").order_by("nonce")
    )


def test_a_play_heard_for_31_seconds_counts_once(track):
    listen(track, seconds=31)
    assert services.drain_beacons(batch=100) == 3
    event = PlayEvent.objects.get()
    assert (event.counted, event.heard_seconds, event.flagged) == (True, 31, False)
    assert event.counted_at is not None
    assert not BufferedBeacon.objects.exists()


def test_draining_the_same_beacons_twice_changes_nothing(track):
    nonce = listen(track, seconds=31)
    listen(track, seconds=12)
    services.drain_beacons()
    before = snapshot()
    listen(track, seconds=31, nonce=nonce)  # the same token's beacons, delivered again
    services.drain_beacons()
    assert snapshot() == before
    assert PlayEvent.objects.count() == 2
    assert PlayEvent.objects.filter(counted=True).count() == 1


def test_a_token_replayed_after_counting_still_counts_once(track):
    nonce = listen(track, seconds=40)
    services.drain_beacons()
    counted_at = PlayEvent.objects.get().counted_at
    listen(track, seconds=40, nonce=nonce)
    services.drain_beacons()
    assert PlayEvent.objects.get().counted_at == counted_at
    assert PlayEvent.objects.filter(counted=True).count() == 1


def test_beacons_split_across_drains_make_one_event_per_token(track):
    nonce = listen(track, seconds=20)
    services.drain_beacons(batch=2)  # start and progress only: 10 s heard
    assert PlayEvent.objects.get(nonce=nonce).heard_seconds == 10
    services.drain_beacons(batch=2)
    event = PlayEvent.objects.get(nonce=nonce)
    assert (event.heard_seconds, event.counted) == (20, False)


@pytest.mark.parametrize(
    "ua",
    ["Googlebot/2.1", "Mozilla/5.0 HeadlessChrome/120.0", "python-requests/2.32", "curl/8", ""],
)
def test_bots_are_flagged_not_counted(track, ua):
    listen(track, ua=ua)
    services.drain_beacons()
    event = PlayEvent.objects.get()
    assert (event.counted, event.flagged, event.flag_reason) == (False, True, "bot user agent")


def test_plays_over_the_listener_cap_are_flagged(track, settings):
    settings.PLAY_CAP_PER_LISTENER = 2
    for _ in range(3):
        listen(track, listener="u:7", ip="ip-a")
    listen(TrackFactory(duration=200.0), listener="u:7")  # another track has its own cap
    services.drain_beacons()
    assert PlayEvent.objects.filter(counted=True).count() == 3
    flagged = PlayEvent.objects.get(flagged=True)
    assert (flagged.track, flagged.flag_reason) == (track, "listener daily cap")


def test_plays_over_the_ip_cap_are_flagged(track, settings):
    settings.PLAY_CAP_PER_IP = 2
    for n in range(3):
        listen(track, listener=f"a:{n}", ip="same-network")
    services.drain_beacons()
    assert PlayEvent.objects.filter(counted=True).count() == 2
    assert PlayEvent.objects.get(flagged=True).flag_reason == "IP daily cap"


def test_more_listening_than_an_hour_allows_is_flagged(track, settings):
    settings.PLAY_CAP_PER_LISTENER = 1000
    long_track = TrackFactory(duration=3000.0)
    listen(long_track, seconds=2000, listener="u:9")
    listen(long_track, seconds=2000, listener="u:9")
    services.drain_beacons()
    assert PlayEvent.objects.filter(counted=True).count() == 1
    assert PlayEvent.objects.get(flagged=True).flag_reason == "impossible listening rate"


def test_beacons_of_a_deleted_track_are_dropped(track):
    listen(track)
    track.delete()
    assert services.drain_beacons() == 3
    assert not PlayEvent.objects.exists() and not BufferedBeacon.objects.exists()


def arrived(claims: dict, position: float) -> str:
    """When a beacon at `position` arrives, for a token issued at claims["i"] and played on."""
    return datetime.fromtimestamp(claims["i"] + position + 0.1, tz=UTC).isoformat()


def test_the_drain_reads_the_redis_stream_and_the_fallback_table(track, redis_buffer):
    nonce = listen(track, seconds=31)  # three beacons into Redis: start, progress, pause
    pause = json.loads(redis_buffer.xrevrange(buffer.key(), count=1)[0][1][b"b"])
    # Resumed and played to 40 s while Redis was down: those beacons went to the table.
    for seq, event, position in [(3, "start", 31), (4, "end", 40)]:
        BufferedBeacon.objects.create(
            payload={**pause, "seq": seq, "event": event, "position": position,
                     "at": 1e6 + position * 1e3, "received": arrived(pause, position)},
            via_fallback=True,
        )  # fmt: skip
    assert services.drain_beacons(batch=100) == 5
    event = PlayEvent.objects.get(nonce=nonce)
    assert (event.counted, event.heard_seconds) == (True, 40)
    assert buffer.waiting() == 0 and buffer.in_flight() == 0


def test_a_batch_costs_the_same_few_queries_however_many_plays_it_holds(
    track, django_assert_max_num_queries
):
    # ~15 statements, ~22 on PostgreSQL where each bulk write is CREATE TEMP TABLE IF NOT
    # EXISTS, COPY, INSERT … SELECT … ON CONFLICT, DELETE.
    for n in range(60):
        listen(track, seconds=[5, 31, 190][n % 3], listener=f"a:{n}", ip=f"ip{n}")
    with django_assert_max_num_queries(24):
        assert services.drain_beacons(batch=1000) == 180
    assert PlayEvent.objects.filter(counted=True).count() == 40
    for n in range(60):
        listen(track, seconds=40, listener=f"b:{n}", ip=f"ip{n}")
    with django_assert_max_num_queries(24):
        services.drain_beacons(batch=1000)
    assert PlayEvent.objects.filter(counted=True).count() == 100


def test_caps_count_plays_of_earlier_batches_and_of_the_same_batch(track, settings):
    settings.PLAY_CAP_PER_LISTENER = 3
    listen(track, listener="u:7")
    services.drain_beacons()
    for _ in range(3):
        listen(track, listener="u:7")
    services.drain_beacons()  # one counted before, two in this batch, then the cap
    assert PlayEvent.objects.filter(counted=True).count() == 3
    assert PlayEvent.objects.get(flagged=True).flag_reason == "listener daily cap"


def test_a_play_of_a_track_taken_down_meanwhile_is_flagged_not_counted(track):
    listen(track, seconds=40)
    track.taken_down_at = timezone.now()
    track.save(update_fields=["taken_down_at"])
    services.drain_beacons()
    event = PlayEvent.objects.get()
    assert (event.counted, event.flagged, event.flag_reason) == (False, True, "track taken down")
