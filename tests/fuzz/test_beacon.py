"""POST /beacon fed generated bodies, and valid but adversarial beacon sequences.

Anything malformed (wrong types, missing or extra keys, huge numbers, NaN and Infinity,
negative positions, deep nesting, bytes that are not UTF-8, any content type, oversized
bodies) gets a 400 with {"error": ...} and buffers nothing. Valid beacons, however duplicated,
reordered or delivered twice, count a play at most once, exactly as the counting rules say.
"""

import itertools
import json
import random

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from analytics import counting, services
from analytics.models import BufferedBeacon, PlayEvent, PlayRollup
from tests.factories import TrackFactory

from .profiles import fuzz

pytestmark = pytest.mark.django_db

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0"
CONTENT_TYPES = [
    "text/plain",
    "application/json",
    "text/plain;charset=UTF-8",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
    "",
]
_addresses = itertools.count(1)


@pytest.fixture(autouse=True)
def _database_buffer(settings):
    settings.REDIS_URL = ""  # the embedded default: beacons buffered in BufferedBeacon


@pytest.fixture
def track():
    return TrackFactory(duration=200.0)


def fresh_listener(client_class):
    """A new anonymous listener (own address): the per-listener and per-IP caps never bite."""
    n = next(_addresses)
    return client_class(REMOTE_ADDR=f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}",
                        HTTP_USER_AGENT=FIREFOX)  # fmt: skip


def play_token(client, track) -> str:
    response = client.get(f"/track/{track.public_id}/play", {"start": "1", "source": "track"})
    assert response.status_code == 200
    return response.json()["play_token"]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
numbers = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([10**400, -0.0, 1e14, 1e308, 2**63, True, "12", None]),
)


@st.composite
def beacon_dicts(draw, token: str) -> dict:
    """Beacon-shaped objects, each field sometimes right, sometimes any JSON value."""
    beacon = {
        "token": draw(st.sampled_from([token, token[:-2] + "xx", "", "a:b:c"]) | json_values),
        "seq": draw(st.integers(-5, 20_000) | json_values),
        "event": draw(st.sampled_from(counting.EVENTS) | st.text(max_size=10) | json_values),
        "position": draw(numbers | json_values),
        "at": draw(numbers | json_values),
        "track": draw(st.sampled_from(["", "other"]) | json_values),
    }
    keep = draw(st.sets(st.sampled_from(sorted(beacon))))
    extra = draw(st.dictionaries(st.text(max_size=8), json_values, max_size=2))
    return {**{k: v for k, v in beacon.items() if k in keep}, **extra}


HOSTILE_BODIES = [
    b"NaN",
    b"Infinity",
    b"-Infinity",
    b"\xff\xfe{}",
    b"{}",
    b"[]",
    b'{"token": "\xc3\x28"}',
    b"\x00",
    b"x" * 2049,
    b" " * 5000,
]


def raw_bodies():
    return st.one_of(
        st.binary(max_size=300),
        st.integers(1, 3000).map(lambda depth: b"[" * depth + b"]" * depth),
        st.integers(1, 3000).map(lambda depth: b'{"a":' * depth + b"1" + b"}" * depth),
        st.sampled_from(HOSTILE_BODIES),
    )


def post(client, body: bytes, content_type: str = "text/plain"):
    return client.post("/beacon", body, content_type=content_type)


def assert_refused(response) -> None:
    assert response.status_code == 400, response.content[:200]
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"].strip()


@fuzz(examples=150)
@given(body=raw_bodies(), content_type=st.sampled_from(CONTENT_TYPES))
@example(body=b"[" * 2000, content_type="text/plain")  # was: RecursionError, a 500
@example(body=b'{"a":' * 1000 + b"1" + b"}" * 1000, content_type="text/plain")
def test_bodies_that_are_not_beacons_are_refused_and_buffer_nothing(body, content_type, client):
    before = BufferedBeacon.objects.count()
    assert_refused(post(client, body, content_type))
    assert BufferedBeacon.objects.count() == before


@fuzz(examples=80)
@given(data=st.data(), content_type=st.sampled_from(CONTENT_TYPES), padding=st.integers(0, 3000))
def test_beacon_shaped_junk_is_refused_and_buffers_nothing(
    data, content_type, padding, client, track
):
    token = play_token(client, track)
    beacon = data.draw(beacon_dicts(token))
    if padding:
        beacon["pad"] = "x" * padding
    body = json.dumps(beacon).encode()  # NaN and Infinity as JavaScript's literals
    before = BufferedBeacon.objects.count()
    response = post(client, body, content_type)
    valid = (
        len(body) <= 2048
        and set(beacon) <= {"token", "seq", "event", "position", "at", "track"}
        and beacon.get("token") == token
        and type(beacon.get("seq")) is int
        and 0 <= beacon["seq"] <= 10_000
        and beacon.get("event") in counting.EVENTS
        and all(type(beacon.get(k)) in (int, float) for k in ("position", "at"))
        and 0 <= beacon["position"] <= 205
        and 0 <= beacon["at"] < 1e14
        and beacon.get("track", track.public_id) == track.public_id
    )
    if valid:
        assert response.status_code == 204
        assert BufferedBeacon.objects.count() == before + 1
    else:
        assert_refused(response)
        assert BufferedBeacon.objects.count() == before


@st.composite
def listening_sessions(draw):
    """A track's duration and a player's beacons for it (positions and clock moving on, with
    seeks and pauses), as delivered: some twice, in any order."""
    duration = draw(st.sampled_from([12.0, 45.0, 200.0]))
    beacons, position, at = [], 0.0, 0.0
    events = ["start", *draw(st.lists(st.sampled_from(counting.EVENTS), max_size=12))]
    for seq, event in enumerate(events):
        step = draw(st.floats(min_value=0, max_value=40))
        if event == "seek":
            position = draw(st.floats(min_value=0, max_value=duration))
        else:
            speed = draw(st.sampled_from([1.0, 1.0, 0.5, 3.0]))  # 3×: a hidden seek
            position = min(duration, position + step * speed)
        at += step * 1000
        beacons.append((seq, event, round(position, 3), round(at, 3)))
    duplicates = draw(st.lists(st.sampled_from(beacons), max_size=6))
    delivered = beacons + duplicates
    draw(st.randoms(use_true_random=False)).shuffle(delivered)
    return duration, delivered


@fuzz(examples=20)
@given(session=listening_sessions())
@example(
    session=(
        200.0,
        [
            (1, "progress", 31.0, 31000.0),
            (0, "start", 0.0, 0.0),
            (1, "progress", 31.0, 31000.0),
            (2, "pause", 40.0, 40000.0),
        ],
    )
)
def test_duplicated_and_reordered_beacons_count_a_play_at_most_once(session, issued_a_minute_ago):
    from django.test import Client

    duration, delivered = session
    track = TrackFactory(duration=duration)
    listener = fresh_listener(Client)
    token = play_token(listener, track)
    for seq, event, position, at in delivered:
        beacon = {"token": token, "seq": seq, "event": event, "position": position, "at": at}
        assert post(listener, json.dumps(beacon).encode()).status_code == 204
    services.drain_beacons()
    expected = counting.listening(
        [counting.Beacon(*b) for b in delivered],
        duration,  # first received of a seq wins
    ).qualifies

    def counted() -> tuple[int, int, int]:
        events = PlayEvent.objects.filter(track=track)
        plays = sum(
            PlayRollup.objects.filter(scope="t", scope_id=track.id, grain="d").values_list(
                "plays", flat=True
            )
        )
        return events.count(), events.filter(counted=True).count(), plays

    assert counted() == (1, int(expected), int(expected))
    # The whole session delivered again (a retried sendBeacon, a replay): nothing changes.
    for seq, event, position, at in random.Random(0).sample(delivered, len(delivered)):
        beacon = {"token": token, "seq": seq, "event": event, "position": position, "at": at}
        post(listener, json.dumps(beacon).encode())
    services.drain_beacons()
    assert counted() == (1, int(expected), int(expected))


@pytest.fixture
def issued_a_minute_ago(monkeypatch):
    """Tokens issued a minute ago: the server's clock cap (issue → arrival + 2 s) then never
    decides whether a session of under a minute of clock time counts."""
    import time
    from types import SimpleNamespace

    from analytics import tokens

    monkeypatch.setattr(tokens, "time", SimpleNamespace(time=lambda: time.time() - 60))


@fuzz(examples=40)
@given(body=raw_bodies())
@example(body=b"[" * 2000)  # the short way under gunicorn turned the RecursionError into a 500
def test_the_short_way_under_gunicorn_refuses_the_same_bodies(body):
    from backstage.wsgi import application
    from tests.analytics.test_beacon_handler import call

    before = BufferedBeacon.objects.count()
    status, _headers, answer = call(application, body)
    assert status == 400, answer[:200]
    assert json.loads(answer)["error"].strip()
    assert BufferedBeacon.objects.count() == before
