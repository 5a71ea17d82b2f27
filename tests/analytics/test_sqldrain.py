"""The PostgreSQL drain (set-based SQL) counts exactly as the Python one, the reference."""

import json
import uuid
from datetime import UTC, datetime

import pytest
from django.db import connection, transaction
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from analytics import counting, merging, services, sqldrain
from analytics.models import (
    DailyCount,
    ListenerSketch,
    PlayEvent,
    PlayRollup,
    PlaySession,
    ReferrerRollup,
)
from tests.analytics.plays import FIREFOX, listen
from tests.factories import ReleaseFactory, TrackFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the SQL drain is PostgreSQL's"),
]


@pytest.fixture
def track():
    return TrackFactory(duration=200.0)


def sessions():
    return {s.nonce: s.beacons for s in PlaySession.objects.all()}


def test_the_same_beacons_twice_in_one_batch_count_as_once(track):
    nonce = listen(track, seconds=31)
    listen(track, seconds=31, nonce=nonce)  # delivered twice before the drain ran
    assert services.drain_beacons() == 6
    event = PlayEvent.objects.get()
    assert (event.heard_seconds, event.counted, event.completion) == (31, True, "partial")
    assert [row[0] for row in sessions()[nonce]] == [0, 1, 2]
    day = PlayRollup.objects.get(scope="t", grain="d")
    assert (day.streams, day.plays, day.heard_seconds) == (1, 1, 31)


def test_within_a_batch_the_first_beacon_received_for_a_seq_wins(track):
    issued = 1_700_000_000
    claims = {"t": track.pk, "l": "a:1", "s": "track", "o": "", "c": "", "i": issued,
              "n": "c" * 32}  # fmt: skip
    for seq, event, position in [(0, "start", 0), (1, "progress", 31), (1, "progress", 5)]:
        services.buffer_beacon(
            claims=claims,
            beacon={"seq": seq, "event": event, "position": position, "at": position * 1000},
            user_agent=FIREFOX,
            ip_key="ip",
            received=datetime.fromtimestamp(issued + 40, tz=UTC),
        )
    services.drain_beacons()
    assert [row[:3] for row in sessions()["c" * 32]] == [[0, "start", 0], [1, "progress", 31]]
    assert PlayEvent.objects.get().counted


def test_late_beacons_out_of_order_finish_a_play_in_a_later_batch(track):
    nonce = listen(track, seconds=20)
    services.drain_beacons(batch=2)  # start and progress: 10 s heard
    services.drain_beacons(batch=1)  # pause at 20 s: 20 s heard, not counted yet
    assert (PlayEvent.objects.get().heard_seconds, PlayEvent.objects.get().counted) == (20, False)
    listen(track, seconds=40, nonce=nonce, resume_from=20)  # resumed: 20 s more
    services.drain_beacons()
    event = PlayEvent.objects.get()
    assert (event.heard_seconds, event.counted) == (40, True)
    assert PlayRollup.objects.get(scope="t", grain="d").plays == 1
    assert DailyCount.objects.get(scope="t", metric="listeners").value == 1


def test_a_replayed_token_neither_counts_again_nor_moves_a_rollup(track):
    nonce = listen(track, seconds=40)
    services.drain_beacons()
    before = list(PlayRollup.objects.values_list("scope", "grain", "plays", "heard_seconds"))
    listen(track, seconds=40, nonce=nonce)
    listen(track, seconds=40, nonce=nonce)
    services.drain_beacons()
    assert list(PlayRollup.objects.values_list("scope", "grain", "plays", "heard_seconds")) == (
        before
    )
    assert DailyCount.objects.get(scope="t", metric="listeners").value == 1


def test_a_listener_counted_in_an_earlier_batch_is_not_a_new_listener_today(track):
    listen(track, seconds=40, listener="a:same", issued=int(timezone.now().timestamp()) - 3600)
    services.drain_beacons()
    listen(track, seconds=40, listener="a:same", issued=int(timezone.now().timestamp()) - 3000)
    services.drain_beacons()
    assert PlayEvent.objects.filter(counted=True).count() == 2
    assert DailyCount.objects.get(scope="t", metric="listeners").value == 1


# --- Both drains on the same random beacons ---------------------------------------------------

finite = st.floats(min_value=0, max_value=400, allow_nan=False, allow_infinity=False)
beacon = st.tuples(
    st.integers(0, 6),  # seq
    st.sampled_from(counting.EVENTS),
    st.one_of(  # position: anywhere, whole seconds, around the 30 s threshold, rounding edges
        finite,
        st.integers(0, 400).map(float),
        st.floats(28, 32),
        st.sampled_from([0.0625, 30.0005, 29.5, 180.0]),
    ),
    st.one_of(finite.map(lambda s: s * 1000), st.integers(0, 400_000).map(float)),
    # received: seconds after the position played (near it, as in life), or anywhen
    st.one_of(st.floats(-3, 3), st.sampled_from([0.0, 1.5, 2.0]), st.floats(-400, 600)),
)
token = st.fixed_dictionaries(
    {
        "track": st.integers(0, 3),
        "listener": st.sampled_from(["a:1", "a:2", "u:3"]),
        "ip": st.sampled_from(["ip1", "ip2", ""]),
        "ua": st.sampled_from([FIREFOX, FIREFOX, "Googlebot/2.1", ""]),
        "via": st.sampled_from([("track", "", ""), ("embed", "https://b.example", ""),
                                ("playlist", "", "PLPUB"), ("own-playlist", "", "")]),
        "beacons": st.lists(beacon, min_size=1, max_size=6),
        "minutes_ago": st.integers(0, 200),
    }
)  # fmt: skip
plays = st.tuples(
    st.lists(token, min_size=1, max_size=8),
    st.randoms(use_true_random=False),
    st.integers(1, 3),  # batches
)


@pytest.fixture
def catalogue(settings):
    settings.PLAY_CAP_PER_LISTENER = 3  # low enough for random plays to reach them
    settings.PLAY_CAP_PER_IP = 4
    release = ReleaseFactory()
    return [
        TrackFactory(artist=release.artist, release=release, duration=200.0),
        TrackFactory(artist=release.artist, release=release, duration=20.0),  # short
        TrackFactory(artist=release.artist, duration=None),  # no release, length unknown
        TrackFactory(taken_down_at=timezone.now()),
    ]


def entries_of(tokens, tracks, now) -> list[dict]:
    entries = []
    for token in tokens:
        issued = int(now.timestamp()) - 60 * token["minutes_ago"]
        source, origin, context = token["via"]
        claims = {"t": tracks[token["track"]].pk, "l": token["listener"], "s": source,
                  "o": origin, "c": context, "i": issued, "n": uuid.uuid4().hex}  # fmt: skip
        for seq, event, position, at, received in token["beacons"]:
            entries.append(
                {**claims, "seq": seq, "event": event, "position": position, "at": at,
                 "ua": token["ua"], "ip": token["ip"],
                 "received": datetime.fromtimestamp(issued + max(0, position + received),
                                                    tz=UTC).isoformat()}
            )  # fmt: skip
    return entries


def everything() -> dict:
    """Every row the drain writes, comparable across the two drains (ids aside)."""
    event_fields = [f.attname for f in PlayEvent._meta.concrete_fields if f.attname != "id"]
    return {
        "events": sorted(PlayEvent.objects.values_list(*event_fields)),
        "sessions": sorted(
            (
                s.nonce,
                s.track_id,
                s.user_agent,
                [[q, e, float(p), float(a), float(r)] for q, e, p, a, r in s.beacons],
            )
            for s in PlaySession.objects.all()
        ),
        "rollups": sorted(
            (*key, round(heard, 6))
            for *key, heard in PlayRollup.objects.exclude(streams=0, plays=0).values_list(
                "scope",
                "scope_id",
                "grain",
                "bucket",
                "source",
                "streams",
                "plays",
                "complete",
                "partial",
                "skip",
                "early_skips",
                "heard_seconds",
            )
        ),
        "referrers": sorted(
            ReferrerRollup.objects.exclude(streams=0, plays=0).values_list(
                "scope", "scope_id", "day", "kind", "ref", "streams", "plays"
            )
        ),
        "daily": sorted(DailyCount.objects.values_list("scope", "scope_id", "day", "value")),
        "sketches": sorted(
            (s, i, d, bytes(r))
            for s, i, d, r in ListenerSketch.objects.values_list(
                "scope", "scope_id", "day", "registers"
            )
        ),
    }


def drained(batches, now, merge) -> dict:
    """What `merge` makes of the batches; rolled back afterwards."""
    with transaction.atomic():
        for batch in batches:
            merge(batch, now)
        result = everything()
        transaction.set_rollback(True)
    return result


@hypothesis_settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plays=plays)
def test_both_drains_make_the_same_rows_of_the_same_random_beacons(catalogue, plays):
    tokens, shuffler, parts = plays
    now = timezone.now()
    entries = entries_of(tokens, catalogue, now)
    shuffler.shuffle(entries)  # late, early, duplicated: in any order
    entries += shuffler.sample(entries, k=len(entries) // 3)  # some delivered twice
    cuts = sorted(shuffler.sample(range(1, len(entries)), k=min(parts - 1, len(entries) - 1)))
    batches = [entries[a:b] for a, b in zip([0, *cuts], [*cuts, len(entries)], strict=True)]

    python = drained(batches, now, lambda batch, at: merging.merge_in_python(batch, now=at))
    sql = drained(batches, now, lambda batch, at: sqldrain.merge(json.dumps(batch), now=at))
    assert sql == python


def recording(calls: list):
    """merging.Caps.load, noting each call: the one-by-one decisions ran."""
    original = merging.Caps.load

    def load(cls, **kwargs):
        calls.append(kwargs)
        return original(**kwargs)

    return classmethod(load)


def test_near_a_cap_the_sql_drain_decides_one_play_at_a_time(track, settings, monkeypatch):
    settings.PLAY_CAP_PER_LISTENER = 2
    decided = []
    monkeypatch.setattr(merging.Caps, "load", recording(decided))
    for n in range(4):
        listen(track, listener="u:7", ip=f"ip{n}")
    services.drain_beacons()
    assert decided
    assert PlayEvent.objects.filter(counted=True).count() == 2
    assert PlayEvent.objects.filter(flag_reason="listener daily cap").count() == 2


def test_far_from_every_cap_the_sql_drain_decides_all_plays_at_once(track, monkeypatch):
    decided = []
    monkeypatch.setattr(merging.Caps, "load", recording(decided))
    for n in range(4):
        listen(track, listener=f"a:{n}", ip=f"ip{n}")
    services.drain_beacons()
    assert not decided
    assert PlayEvent.objects.filter(counted=True).count() == 4
