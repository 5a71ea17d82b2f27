"""Backstage Radio, live, in Chromium: two listeners tuning in apart hear the same moment."""

import time

import pytest

from radio import live
from radio.models import LiveSlot
from tests.e2e.axe import serious_violations
from tests.e2e.conftest import screenshot, sign_in
from tests.e2e.seed import upload_track
from tests.factories import ArtistFactory, UserFactory
from tracks.services import take_down_track

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WHERE = """() => {
  const p = window.backstagePlayer, item = p.state.queue[p.state.index];
  return {track: item && item.id, slot: item && item.slot, position: p.audio.currentTime,
          paused: p.audio.paused, at: Date.now()};
}"""
# The player plays a slot other than `slot`: its audio loaded (not the previous track's, which
# plays on while the next one's stream URL is fetched) and running.
PLAYING_ANOTHER = """(slot) => {
  const p = window.backstagePlayer, item = p.state.queue[p.state.index];
  return item && item.slot !== slot && p.state.meta && p.state.meta.id === item.id
    && !p.audio.paused && !p.audio.seeking && p.audio.currentTime > 0.5;
}"""


@pytest.fixture
def on_air(db):
    """Three artists' minute-long tracks, made by the real pipeline."""
    return [upload_track(artist=ArtistFactory(), seconds=60) for _ in range(3)]


def tune_in(page) -> None:
    page.goto("/radio/live/")
    page.get_by_role("button", name="Tune in").click()
    page.wait_for_function(
        "() => { const a = window.backstagePlayer.audio; return !a.paused && a.currentTime > 0.5; }"
    )


def test_two_listeners_tuning_in_seconds_apart_hear_the_same_moment(
    on_air, page, listener, live_server
):
    tune_in(page)
    time.sleep(2.5)
    tune_in(listener)
    time.sleep(1.5)  # let each player settle (it nudges itself back in step once or twice)

    first, second = page.evaluate(WHERE), listener.evaluate(WHERE)

    assert first["track"] == second["track"]
    assert first["slot"] == second["slot"]
    assert not first["paused"] and not second["paused"]
    # Both on one machine: bring both positions to the same wall-clock moment.
    moment = max(first["at"], second["at"])
    heard = [w["position"] + (moment - w["at"]) / 1000 for w in (first, second)]
    assert abs(heard[0] - heard[1]) < 1.0
    slot = LiveSlot.objects.get(pk=first["slot"])
    on_schedule = moment / 1000 - slot.starts_at.timestamp()
    assert abs(heard[0] - on_schedule) < 1.0
    # Live: no seeking, no previous or next while the station plays.
    assert page.locator("#player .player-seek").is_disabled()
    assert page.locator('#player [data-action="prev"]').is_disabled()
    listener.reload()
    listener.wait_for_selector("text=2 people listening now")
    # Someone who only opens the page is not listening: still two.
    visitor = page.context.browser.new_context(base_url=live_server.url)
    looking = visitor.new_page()
    sign_in(looking, live_server, UserFactory())
    looking.goto("/radio/live/")
    looking.wait_for_selector("text=2 people listening now")
    visitor.close()


def test_at_the_end_of_a_track_the_player_joins_the_next_slot(db, listener):
    [upload_track(artist=ArtistFactory(), seconds=8) for _ in range(3)]
    tune_in(listener)
    first = listener.evaluate(WHERE)

    listener.wait_for_function(PLAYING_ANOTHER, arg=first["slot"], timeout=20_000)

    now = listener.evaluate(WHERE)
    slot = LiveSlot.objects.get(pk=now["slot"])
    assert slot.starts_at == LiveSlot.objects.get(pk=first["slot"]).ends_at
    assert abs(now["position"] - (now["at"] / 1000 - slot.starts_at.timestamp())) < 1.0
    assert listener.get_by_role("button", name="Leave the station").is_visible()


def test_a_takedown_moves_every_listener_to_what_is_on_air_now(on_air, listener, monkeypatch):
    monkeypatch.setattr(live, "POLL_SECONDS", 2)  # the page polls every 2 s instead of 30
    tune_in(listener)
    playing = listener.evaluate(WHERE)
    cut = LiveSlot.objects.select_related("track").get(pk=playing["slot"])

    take_down_track(track=cut.track, by=UserFactory(is_staff=True), reason="Copyright claim")

    listener.wait_for_function(PLAYING_ANOTHER, arg=cut.pk)
    now = listener.evaluate(WHERE)
    assert now["track"] != cut.track.public_id
    slot = LiveSlot.objects.get(pk=now["slot"])
    assert slot.starts_at == LiveSlot.objects.get(pk=cut.pk).ends_at  # the cut, then the next
    assert abs(now["position"] - (now["at"] / 1000 - slot.starts_at.timestamp())) < 1.0


def test_the_live_page_reads_well_and_passes_axe(on_air, page, phone):
    page.goto("/radio/live/")
    page.wait_for_selector(".live-title")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Backstage Radio")
    assert page.locator('[data-role="up-next"] li').count() == 2
    screenshot(page, "radio-live-1280")
    assert serious_violations(page) == []

    phone.goto("/radio/live/")
    phone.wait_for_selector(".live-title")
    screenshot(phone, "radio-live-390")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert serious_violations(phone) == []


def test_an_empty_station_says_so(db, page):
    page.goto("/radio/live/")

    page.wait_for_selector("text=Nothing to play yet")
    assert page.get_by_role("button", name="Tune in").is_disabled()
