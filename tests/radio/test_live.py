"""Backstage Radio, live: the shared schedule and what listeners are told is on air."""

import itertools
import json
import os
import threading
import time
import uuid
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from radio import live, picking, tasks
from radio.models import LiveSlot, RadioPlay
from radio.selectors import access_play
from tests.factories import ArtistFactory, TrackFactory, UserFactory
from tracks.models import Visibility
from tracks.services import take_down_track

MINUTES_4 = 240.0
REDIS_URL = os.getenv("RADIO_TEST_REDIS_URL", "redis://127.0.0.1:6379/10")


@pytest.fixture
def station(db):
    """Twenty artists with two four-minute tracks each: enough for an hour without repeats."""
    return [
        TrackFactory(artist=artist, duration=MINUTES_4, renditions=False)
        for artist in (ArtistFactory() for _ in range(20))
        for _ in range(2)
    ]


@pytest.fixture
def redis_cache(settings):
    """A Redis cache, with keys of this test's own (tests run in parallel)."""
    prefix = f"test-radio-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": prefix,
        }
    }
    yield
    client = live._redis().client
    keys = list(client.scan_iter(f"{prefix}:*"))
    assert keys, "the test did not go through Redis"
    client.delete(*keys)


@pytest.fixture(params=["local memory", "redis"])
def any_cache(request, monkeypatch):
    """The endpoint's two paths: one round trip to a local-memory cache, or one script run on
    Redis — here at every request (a web process shares one read a second: tested below)."""
    if request.param == "redis":
        request.getfixturevalue("redis_cache")
        monkeypatch.setattr(live, "SHARE_EVERY", 0)
    return request.param


@pytest.fixture
def now():
    return timezone.now().replace(microsecond=0)


def slots():
    return list(LiveSlot.objects.order_by("starts_at"))


# --- The schedule -----------------------------------------------------------------------------


def test_the_schedule_covers_the_next_half_hour_with_contiguous_slots(station, now, rng):
    assert live.ensure_schedule(now=now, rng=rng) is True

    schedule = slots()
    assert len(schedule) == 8  # 30 minutes of four-minute tracks, the last one straddling
    assert schedule[0].starts_at == now
    assert all(a.ends_at == b.starts_at for a, b in itertools.pairwise(schedule))
    assert schedule[-1].ends_at == now + timedelta(minutes=32)


def test_no_artist_plays_twice_within_an_hour(station, now, rng):
    for minute in range(0, 180, 4):
        live.ensure_schedule(now=now + timedelta(minutes=minute), rng=rng)

    schedule = slots()
    assert len(schedule) == 52  # 0 … 204 minutes: the last call at 176 looks 30 ahead
    assert all(a.ends_at == b.starts_at for a, b in itertools.pairwise(schedule))
    for a, b in itertools.combinations(schedule, 2):
        if a.artist_id == b.artist_id:
            assert abs(b.starts_at - a.starts_at) >= timedelta(hours=1)


def test_asking_again_within_the_horizon_adds_nothing_and_costs_three_queries(
    station, now, rng, django_assert_num_queries
):
    live.ensure_schedule(now=now, rng=rng)

    # The advisory lock, the look for unplayable slots, the last slot (and two savepoints).
    with django_assert_num_queries(5):
        assert live.ensure_schedule(now=now + timedelta(minutes=1), rng=rng) is False
    assert LiveSlot.objects.count() == 8


def test_after_a_silence_the_next_slot_starts_now_without_backfill(station, now, rng):
    live.ensure_schedule(now=now, rng=rng)
    later = now + timedelta(hours=5)

    live.ensure_schedule(now=later, rng=rng)

    schedule = slots()
    assert len(schedule) == 16
    assert schedule[8].starts_at == later
    assert schedule[7].ends_at == now + timedelta(minutes=32)  # the gap stays a gap


def test_nobody_listening_means_the_beat_schedules_nothing(station, client, any_cache):
    assert tasks.tick_live() is False
    assert LiveSlot.objects.count() == 0

    client.get("/radio/live/now?listening=1")  # a listener: the first request schedules
    LiveSlot.objects.all().delete()
    assert tasks.tick_live() is True
    assert LiveSlot.objects.count() == 8


def test_an_empty_catalogue_is_off_air_not_an_error(db, client, now, any_cache):
    assert live.ensure_schedule(now=now) is False

    response = client.get("/radio/live/now")

    assert response.status_code == 200
    body = response.json()
    assert body["on_air"] is False
    assert body["current"] is None
    assert body["up_next"] == []
    assert body["message"].startswith("Nothing to play yet")


def test_a_takedown_cuts_the_current_slot_at_once(station, client, admin_user, any_cache):
    first = client.get("/radio/live/now").json()["current"]
    cut = LiveSlot.objects.get(pk=first["slot"])

    take_down_track(track=cut.track, by=admin_user, reason="Copyright claim")
    after = client.get("/radio/live/now").json()

    cut.refresh_from_db()
    assert cut.ends_at <= timezone.now()
    assert after["current"]["slot"] != cut.pk
    assert after["current"]["starts_at"] == int(cut.ends_at.timestamp() * 1000)
    aired = [after["current"], *after["up_next"]]
    assert cut.track.public_id not in {s["track"] for s in aired}
    assert [s["slot"] for s in after["just_played"]] == [cut.pk]


def test_a_track_taken_down_as_its_slot_begins_is_replaced(station, now, rng, admin_user):
    live.ensure_schedule(now=now, rng=rng)
    first = slots()[0]
    take_down_track(track=first.track, by=admin_user, reason="Claim")

    assert live.ensure_schedule(now=now, rng=rng) is True

    schedule = slots()
    assert schedule[0].starts_at == now
    assert schedule[0].track_id != first.track_id
    assert all(a.ends_at == b.starts_at for a, b in itertools.pairwise(schedule))


def test_a_catalogue_too_small_for_an_hour_pauses_the_station_and_says_why(db, client, now):
    for artist in ArtistFactory.create_batch(2):
        TrackFactory(artist=artist, duration=MINUTES_4, renditions=False)

    live.ensure_schedule(now=now)
    body = json.loads(live.now_playing(listener_key="a:x", now=now + timedelta(minutes=9)))

    assert LiveSlot.objects.count() == 2  # then every artist has been on within the hour
    assert body["on_air"] is False
    assert body["message"].startswith("Backstage Radio is taking a breath")
    assert [s["slot"] for s in body["just_played"]] == list(
        LiveSlot.objects.order_by("-starts_at").values_list("pk", flat=True)
    )


def test_a_paused_station_says_when_it_is_back_by_the_hour_rule(db, now):
    """Three artists with 75 s tracks: on air 3 minutes 45 s an hour. Off air, the station
    says when the first of them may play again: an hour after that artist's slot began."""
    for artist in ArtistFactory.create_batch(3):
        TrackFactory.create_batch(3, artist=artist, duration=75.0, renditions=False)
    live.ensure_schedule(now=now)
    first = LiveSlot.objects.order_by("starts_at").first()
    later = now + timedelta(minutes=30)

    live.ensure_schedule(now=later)
    state = live.on_air(now=later)

    back = first.starts_at + timedelta(hours=1)
    assert LiveSlot.objects.count() == 3 and state["on_air"] is False
    assert state["message"] == (
        "Backstage Radio is taking a breath: every artist with music in radio has been on air "
        f"within the hour. Back at {back:%H:%M} UTC."
    )
    assert state["back_at"] == int(back.timestamp() * 1000)
    # … and it is: at that moment the first artist plays again, the hour rule kept.
    live.ensure_schedule(now=back)
    assert live.on_air(now=back)["current"]["artist"] == first.artist.name


def test_a_deleted_track_leaves_no_hole_in_the_schedule(station, now, rng):
    live.ensure_schedule(now=now, rng=rng)
    current, later = slots()[0], slots()[4]
    later.track.delete()
    current.track.delete()
    moment = now + timedelta(seconds=30)

    assert live.ensure_schedule(now=moment, rng=rng) is True

    schedule = slots()
    assert schedule[0].starts_at == moment  # the current track's slot went with it
    assert all(a.ends_at == b.starts_at for a, b in itertools.pairwise(schedule))
    assert schedule[-1].ends_at >= moment + live.HORIZON


@pytest.mark.parametrize("change", ["private", "radio-off", "suspended"])
def test_a_later_track_that_may_no_longer_play_is_rescheduled(station, now, rng, change):
    live.ensure_schedule(now=now, rng=rng)
    fourth = slots()[3]
    track = fourth.track
    if change == "private":
        track.visibility = Visibility.PRIVATE
        track.save()
    elif change == "radio-off":
        track.radio_enabled = False
        track.save()
    else:
        track.artist.is_suspended = True
        track.artist.save()

    assert live.ensure_schedule(now=now + timedelta(seconds=1), rng=rng) is True

    schedule = slots()
    assert schedule[:3] == slots()[:3]
    assert track.pk not in {s.track_id for s in schedule}
    assert schedule[3].starts_at == fourth.starts_at
    assert all(a.ends_at == b.starts_at for a, b in itertools.pairwise(schedule))


@pytest.mark.django_db(transaction=True)
def test_two_processes_extending_at_once_never_overlap(station, now):
    picking.ensure_pool(live.POOL, now=now)  # built already: the two run side by side
    barrier = threading.Barrier(2)
    errors = []

    def extend(offset: int) -> None:
        try:
            barrier.wait()
            live.ensure_schedule(now=now + timedelta(seconds=offset))
        except Exception as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=extend, args=(n,)) for n in (0, 3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    schedule = slots()
    assert len(schedule) == 8
    assert all(a.ends_at == b.starts_at for a, b in itertools.pairwise(schedule))


# --- What is on air ---------------------------------------------------------------------------


def test_now_playing_says_what_plays_what_comes_and_who_listens(station, client, any_cache):
    before = time.time() * 1000
    body = client.get("/radio/live/now?listening=1").json()

    assert set(body) == {
        "on_air", "message", "back_at", "current", "up_next", "just_played", "valid_until",
        "server_time", "listeners",
    }  # fmt: skip
    current = body["current"]
    slot = LiveSlot.objects.select_related("track", "artist").get(pk=current["slot"])
    assert current == {
        "slot": slot.pk,
        "track": slot.track.public_id,
        "title": slot.track.title,
        "artist": slot.artist.name,
        "artist_url": slot.artist.get_absolute_url(),
        "url": slot.track.get_absolute_url(),
        "cover": None,
        "duration": MINUTES_4,
        "starts_at": int(slot.starts_at.timestamp() * 1000),
        "ends_at": int(slot.ends_at.timestamp() * 1000),
    }
    assert len(body["up_next"]) == 3
    assert body["up_next"][0]["starts_at"] == current["ends_at"]
    assert body["just_played"] == []
    assert before <= body["server_time"] <= time.time() * 1000
    assert body["listeners"] == 1


def test_listeners_are_counted_once_each(station, client, fan, outsider, any_cache):
    client.get("/radio/live/now?listening=1")
    client.get("/radio/live/now?listening=1")
    client.force_login(fan)
    client.get("/radio/live/now?listening=1")
    client.force_login(outsider)

    assert client.get("/radio/live/now?listening=1").json()["listeners"] == 3


def test_only_tuned_in_listeners_count_as_listening_now(station, client, outsider, any_cache):
    """The page polls /now while it is open; only polls flagged by a tuned-in player count."""
    for _ in range(3):
        assert client.get("/radio/live/now").json()["listeners"] == 0  # the page, open
    client.force_login(outsider)
    client.get("/radio/live/now?listening=0")

    assert client.get("/radio/live/now?listening=1").json()["listeners"] == 1
    assert live.listeners() == 1


def test_a_listener_silent_for_a_minute_is_no_longer_counted(station, now, any_cache):
    def audience(listener: str, seconds: int) -> int:
        at = now + timedelta(seconds=seconds)
        return json.loads(live.now_playing(listener_key=listener, now=at))["listeners"]

    assert audience("a:first", 0) == 1
    assert audience("a:second", 30) == 2
    assert audience("a:second", 61) == 1
    assert audience("a:first", 400) == 1  # back after a long silence: counted once
    assert live.listeners(within=10_000) == 1  # the one silent for five minutes is forgotten


def test_a_web_process_speaks_to_redis_at_most_once_a_second(
    station, client, redis_cache, monkeypatch
):
    trips = []
    round_trip = live._Shared.round_trip
    monkeypatch.setattr(
        live._Shared, "round_trip", lambda self, **kw: trips.append(1) or round_trip(self, **kw)
    )
    monkeypatch.setattr(live, "SHARE_EVERY", 60)
    first = client.get("/radio/live/now?listening=1").json()
    for user in UserFactory.create_batch(2):
        client.force_login(user)
        assert (
            client.get("/radio/live/now?listening=1").json()["listeners"] == 1
        )  # as read a moment ago

    monkeypatch.setattr(live, "SHARE_EVERY", 0)  # the second has passed
    last = client.get("/radio/live/now?listening=1").json()

    assert len(trips) == 2
    assert last["listeners"] == 3  # the listeners heard meanwhile went with the next trip
    assert last["current"] == first["current"]
    assert last["server_time"] >= first["server_time"]


def test_now_playing_is_served_from_the_cache_without_a_query(station, client, any_cache):
    with CaptureQueriesContext(connection) as first:
        cold = client.get("/radio/live/now").json()
    with CaptureQueriesContext(connection) as second:
        warm = client.get("/radio/live/now").json()

    assert len(first) > 0
    assert len(second) == 0
    assert warm["current"] == cold["current"]
    assert warm["server_time"] >= cold["server_time"]


def test_rebuilding_the_body_of_a_full_schedule_costs_seven_queries(
    station, client, django_assert_num_queries
):
    client.get("/radio/live/now")
    live.bump_version()

    # The advisory lock, the repair's look at the coming slots, the last slot (with two
    # savepoints), then what plays and comes, and what just played.
    with django_assert_num_queries(7):
        client.get("/radio/live/now")


def test_a_new_slot_rebuilds_the_cached_body(station, client, any_cache):
    first = client.get("/radio/live/now").json()["current"]
    slot = LiveSlot.objects.get(pk=first["slot"])
    # Move the schedule back in time: the cached body is no longer valid at its end.
    shift = slot.ends_at - timezone.now() + timedelta(seconds=1)
    for each in LiveSlot.objects.all():
        LiveSlot.objects.filter(pk=each.pk).update(
            starts_at=each.starts_at - shift, ends_at=each.ends_at - shift
        )
    live.bump_version()

    after = client.get("/radio/live/now").json()
    assert after["current"]["slot"] != slot.pk
    assert after["just_played"][0]["slot"] == slot.pk


# --- Tuning in --------------------------------------------------------------------------------


def test_tuning_in_records_one_play_and_joins_where_the_slot_is(station, client):
    current = client.get("/radio/live/now").json()["current"]

    item = client.post("/radio/live/tune", {"slot": current["slot"]}).json()
    again = client.post("/radio/live/tune", {"slot": current["slot"]}).json()

    play = RadioPlay.objects.get()
    assert again["play"] == item["play"] == play.pk
    assert play.slot_id == current["slot"]
    assert play.kind == "live"
    assert item["id"] == current["track"]
    assert item["src"] == f"/track/{current['track']}/play"
    assert (item["source"], item["context"]) == ("radio", f"live:{current['slot']}")
    expected = (item["server_time"] - current["starts_at"]) / 1000
    assert item["startAt"] == pytest.approx(expected, abs=0.002)
    # Feedback is then possible for this play (the feedback endpoints take its id).
    assert access_play(listener_key=play.listener_key, play_id=item["play"]) == play


def test_tuning_in_takes_only_the_slot_on_air(station, client, now):
    client.get("/radio/live/now")
    later = slots()[2]
    LiveSlot.objects.filter(pk=slots()[0].pk).update(starts_at=now - timedelta(hours=1))
    ended = LiveSlot.objects.create(
        track=station[-1],
        artist=station[-1].artist,
        starts_at=now - timedelta(hours=2),
        ends_at=now - timedelta(minutes=70),
    )

    for slot in (later.pk, ended.pk, 99_999_999):
        response = client.post("/radio/live/tune", {"slot": slot})
        assert response.status_code == 404
    assert RadioPlay.objects.count() == 0


@pytest.mark.parametrize("slot", ["", "abc", "-1", "1e3", "²", "<b>1</b>", "9" * 40])
def test_tuning_in_to_a_malformed_slot_is_a_clear_400(station, client, slot):
    response = client.post("/radio/live/tune", {"slot": slot})

    assert response.status_code == 400
    assert response.json() == {"error": "Say which slot to tune in to."}
    assert RadioPlay.objects.count() == 0


def test_tuning_in_to_a_taken_down_track_is_refused(station, client, admin_user):
    current = client.get("/radio/live/now").json()["current"]
    slot = LiveSlot.objects.get(pk=current["slot"])
    take_down_track(track=slot.track, by=admin_user, reason="Claim")

    assert client.post("/radio/live/tune", {"slot": slot.pk}).status_code == 404


def test_tuning_in_needs_a_post(station, client):
    assert client.get("/radio/live/tune").status_code == 405


def test_the_live_page_links_from_the_radio_home(db, client):
    home = client.get("/radio/").content.decode()
    page = client.get("/radio/live/")

    assert 'href="/radio/live/"' in home
    assert page.status_code == 200
    assert "Tune in" in page.content.decode()


def test_signed_in_tunes_are_the_users_plays(station, client):
    user = UserFactory()
    client.force_login(user)
    current = client.get("/radio/live/now").json()["current"]

    client.post("/radio/live/tune", {"slot": current["slot"]})

    assert RadioPlay.objects.get().user == user
