"""A real browser plays a short track to the end; its beacons make exactly one counted play."""

import re
import time

import pytest
from playwright.sync_api import expect

from analytics.models import PlayEvent
from tests.e2e.axe import serious_violations
from tests.e2e.conftest import screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def wait_for(condition, timeout: float = 15.0):
    deadline = time.monotonic() + timeout
    while not (result := condition()) and time.monotonic() < deadline:
        time.sleep(0.2)
    return result


def test_a_12_second_track_heard_to_the_end_counts_one_play(listener, settings):
    from tests.e2e.seed import seed_playable_track

    page = listener

    settings.REDIS_URL = ""  # embedded default: the beacon view drains right away
    track = seed_playable_track(seconds=12)
    page.goto(track.get_absolute_url())
    page.get_by_role("button", name=re.compile("^Play ")).first.click()
    page.wait_for_function("() => document.getElementById('player-audio').ended", timeout=30_000)

    event = wait_for(lambda: PlayEvent.objects.filter(track=track, completion="complete").first())
    assert event is not None
    assert (event.counted, event.flagged, event.source) == (True, False, "track")
    assert 11 <= event.heard_seconds <= 12.5
    assert PlayEvent.objects.count() == 1


def test_seeking_to_the_end_does_not_count(listener, settings):
    from tests.e2e.seed import seed_playable_track

    page = listener

    settings.REDIS_URL = ""
    track = seed_playable_track(seconds=40)
    page.goto(track.get_absolute_url())
    page.get_by_role("button", name=re.compile("^Play ")).first.click()
    page.wait_for_function("() => document.getElementById('player-audio').currentTime > 1")
    page.evaluate("window.backstagePlayer.seekTo(38)")
    page.wait_for_function("() => document.getElementById('player-audio').ended", timeout=30_000)

    event = wait_for(lambda: PlayEvent.objects.filter(track=track, heard_seconds__gt=2).first())
    assert event is not None
    assert not event.counted and event.heard_seconds < 6


def test_a_headless_browser_is_flagged_not_counted(page, live_server, settings):
    from tests.e2e.seed import seed_playable_track

    settings.REDIS_URL = ""
    track = seed_playable_track(seconds=12)
    page.goto(track.get_absolute_url())
    page.get_by_role("button", name=re.compile("^Play ")).first.click()
    page.wait_for_function("() => document.getElementById('player-audio').ended", timeout=30_000)

    event = wait_for(lambda: PlayEvent.objects.filter(track=track, flagged=True).first())
    assert event is not None
    assert (event.counted, event.flag_reason) == (False, "bot user agent")


def test_the_how_we_count_page_is_readable_and_accessible(page, phone, live_server):
    page.goto("/")
    page.get_by_role("link", name="How we count plays").click()
    expect(page.get_by_role("heading", name="How we count plays")).to_be_visible()
    assert serious_violations(page) == []
    screenshot(page, "how-we-count")
    phone.goto("/how-we-count")
    assert serious_violations(phone) == []
    screenshot(phone, "how-we-count-phone")
