"""Backstage Radio, live, on the real stack: gunicorn processes and a Celery worker sharing
PostgreSQL and Redis. Listeners joining apart hear the same moment, whatever their clocks say;
killing every process changes nothing about what is on air."""

import re
import time
from datetime import timedelta

import pytest
import requests
from django.core.cache import cache
from django.utils import timezone

from radio import live, tasks
from radio.models import LiveSlot, RadioPlay
from tests.bench import pages
from tests.factories import ArtistFactory, TrackFactory
from tests.fullstack.conftest import WORKER

pytestmark = [
    pytest.mark.fullstack,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("celery_worker"),
]


class Web:
    """gunicorn (two workers) on the test database, which a test may kill and start again."""

    def __init__(self, env: dict, log):
        self.env, self.log, self.server = env, log, None

    def start(self) -> None:
        self.port = pages.free_port()
        self.server = pages.start_gunicorn(self.env, self.port, self.log)

    def kill(self) -> None:
        """SIGKILL the master: its workers notice their parent is gone and leave too."""
        self.server.kill()
        self.server.wait()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


@pytest.fixture
def web(request, tmp_path):
    worker_env = request.config.stash[WORKER].env  # DATABASE_URL names the test database
    # DEBUG as in the tests (static files served uncollected); the rest as in production.
    env = {**worker_env, "ALLOWED_HOSTS": "127.0.0.1", "LOG_LEVEL": "WARNING"}
    server = Web(env, tmp_path / "gunicorn.log")
    server.start()
    yield server
    pages.stop_gunicorn(server.server)


@pytest.fixture
def station(db):
    """Twelve artists' four-minute tracks: the first slot has minutes left to run."""
    return [TrackFactory(artist=ArtistFactory(), duration=240.0) for _ in range(12)]


class Listener:
    """A browser's view of the station, computed as static/js/radio-live.js does, on a device
    whose clock is `clock_error` seconds off."""

    def __init__(self, web: Web, *, name: str, clock_error: float = 0.0):
        self.web, self.clock_error = web, clock_error
        self.http = requests.Session()
        self.http.headers["User-Agent"] = f"Listener {name}"

    def local_clock(self) -> float:
        return time.time() + self.clock_error

    def on_air(self) -> dict:
        """What is on air, and where in it this device believes the shared moment is."""
        t0 = time.perf_counter()
        # As a tuned-in player polls: flagged, so the listener counts as listening now.
        url = self.web.url("/radio/live/now?listening=1")
        body = self.http.get(url, timeout=10).json()
        rtt = time.perf_counter() - t0
        local = self.local_clock()
        skew = body["server_time"] / 1000 + rtt / 2 - local
        current = body["current"]
        return {
            **body,
            "offset": local + skew - current["starts_at"] / 1000,
            "true_time": time.time(),  # when it was computed, by the test's own clock
        }

    def tune_in(self, slot: int) -> dict:
        page = self.http.get(self.web.url("/radio/live/"), timeout=10).text
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        response = self.http.post(
            self.web.url("/radio/live/tune"),
            data={"slot": slot},
            headers={"X-CSRFToken": token},
            timeout=10,
        )
        assert response.status_code == 200, response.text
        return response.json()


def same_moment(a: dict, b: dict) -> float:
    """How far apart two listeners are, once both offsets are brought to the same instant."""
    return abs((a["offset"] - a["true_time"]) - (b["offset"] - b["true_time"]))


def test_listeners_joining_apart_hear_the_same_track_at_the_same_offset(web, station):
    first = Listener(web, name="early")
    late = Listener(web, name="late, clock 37 s fast", clock_error=37.0)

    first.on_air()  # loading the page: the first request schedules, a slow one
    heard_first = first.on_air()
    time.sleep(2.5)
    heard_late = late.on_air()

    assert heard_late["current"]["slot"] == heard_first["current"]["slot"]
    assert heard_late["current"]["track"] == heard_first["current"]["track"]
    assert same_moment(heard_first, heard_late) < 1.0
    assert heard_late["listeners"] == 2

    slot = heard_first["current"]["slot"]
    items = [first.tune_in(slot), late.tune_in(slot)]
    assert [i["context"] for i in items] == [f"live:{slot}"] * 2
    assert RadioPlay.objects.filter(slot_id=slot).count() == 2


def test_the_schedule_survives_a_restart_of_web_and_worker(request, web, station):
    listener = Listener(web, name="steady")
    before = listener.on_air()

    web.kill()
    request.config.stash[WORKER].kill()
    cache.delete(live.BODY_KEY)  # rebuilt from the database alone, not served from Redis
    web.start()
    request.config.stash[WORKER].start()
    after = listener.on_air()

    assert after["current"] == before["current"]
    assert [s["slot"] for s in after["up_next"]] == [s["slot"] for s in before["up_next"]]
    assert same_moment(before, after) < 1.0
    # The restarted worker keeps the schedule ahead while someone listens (beat's tick).
    LiveSlot.objects.filter(starts_at__gt=timezone.now() + timedelta(minutes=5)).delete()
    tasks.tick_live.delay()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        last = LiveSlot.objects.order_by("-ends_at").first()
        if last.ends_at >= timezone.now() + timedelta(minutes=30):
            break
        time.sleep(0.2)
    else:
        pytest.fail("the worker did not extend the schedule")
    assert listener.on_air()["current"] == before["current"]
