"""The artist's dashboard in Chromium: a real listen shows up, and a new release's counter
moves from 0 to 1 while the page stays open."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from analytics import services, stats
from tests.analytics.plays import listen
from tests.analytics.test_stats import at
from tests.e2e.axe import serious_violations
from tests.e2e.conftest import screenshot
from tests.e2e.test_playlists import sign_in
from tests.factories import ArtistFactory, ReleaseFactory, TrackFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_31_second_listen_reaches_the_dashboard_live(page, listener, live_server, settings):
    from tests.e2e.seed import upload_track
    from tracks.services import create_release

    settings.REDIS_URL = ""  # embedded default: the beacon view drains right away
    artist = ArtistFactory(name="Harbour Lights", slug="harbour-lights")
    release = create_release(artist=artist, title="Low Tide", kind="single")
    track = upload_track(artist=artist, seconds=40, release=release, position=1, title="Lantern")

    sign_in(page, live_server, artist.user)
    page.goto("/studio/")
    page.get_by_role("link", name="Stats", exact=True).click()
    expect(page.get_by_role("heading", name="Your stats")).to_be_visible()
    counter = page.locator(f"#live-{release.public_id} [data-live-plays]")
    expect(counter).to_have_text("0 plays")
    page.evaluate("window.stillTheSamePage = true")

    listener.goto(track.get_absolute_url())
    listener.get_by_role("button", name=re.compile("^Play ")).first.click()
    listener.wait_for_function(
        "() => document.getElementById('player-audio').currentTime > 31", timeout=60_000
    )
    listener.evaluate("document.getElementById('player-audio').pause()")

    expect(counter).to_have_text("1 play", timeout=20_000)  # polled, not reloaded
    assert page.evaluate("window.stillTheSamePage") is True
    page.reload()
    plays = page.locator(".total").filter(has_text="Plays")
    expect(plays.locator(".total-value")).to_have_text("1")
    expect(page.get_by_role("row", name=re.compile("Lantern"))).to_have_count(2)
    assert serious_violations(page) == []


def seed_a_month(artist):
    """A month of plays from every kind of place, drained through the real beacon pipeline."""
    release = ReleaseFactory(artist=artist, title="Low Tide", release_date=stats.today())
    songs = [
        TrackFactory(artist=artist, release=release, title=title, duration=200.0)
        for title in ("Rope", "Gull", "Ferry", "A very long track title for small screens")
    ]
    sources = ["artist", "release", "track", "search", "playlist", "embed", "library", "home"]
    for day in range(28):
        for n in range((day * 7) % 11 + 2):
            listen(songs[n % 4], seconds=[31, 80, 195, 5][n % 4], issued=at(day, hour=n % 24),
                   listener=f"a:{(day + n) % 17}", source=sources[(day + n) % 8],
                   origin="https://blog.example", context="PLX")  # fmt: skip
    services.drain_beacons(batch=10_000)
    return release


def test_the_dashboard_reads_well_on_desktop_and_phone(page, phone, live_server):
    artist = ArtistFactory(name="Harbour Lights", slug="harbour-lights")
    release = seed_a_month(artist)
    for view in (page, phone):
        sign_in(view, live_server, artist.user)
        view.goto("/studio/stats/")
        expect(view.get_by_role("heading", name="Your stats")).to_be_visible()
        assert serious_violations(view) == []
    screenshot(page, "stats-dashboard")
    screenshot(phone, "stats-dashboard-phone")
    page.get_by_role("link", name="12 months").click()
    expect(page.get_by_role("link", name="12 months")).to_have_attribute("aria-current", "page")
    page.get_by_text("Custom range").click()
    page.get_by_label("From", exact=True).fill(f"{stats.today():%Y-%m-%d}")
    page.get_by_label("To", exact=True).fill(f"{stats.today() - timedelta(days=3):%Y-%m-%d}")
    page.get_by_role("button", name="Show this range").click()
    expect(page.get_by_role("alert")).to_have_text("The start date is after the end date.")
    screenshot(page, "stats-bad-range")
    phone.goto(f"/studio/stats/release/{release.public_id}/")
    assert serious_violations(phone) == []
    screenshot(phone, "stats-release-phone")
