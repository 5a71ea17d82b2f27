"""The Content Security Policy in a real browser: pages of every kind load, scripts run and
htmx swaps without a single violation reported in the console."""

import pytest
from playwright.sync_api import expect

from playlists import services as playlists
from tests.e2e.conftest import sign_in
from tests.factories import ArtistFactory, ReleaseFactory, TrackFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def collect_violations(page) -> list[str]:
    seen = []
    page.on(
        "console",
        lambda message: (
            seen.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return seen


def test_pages_and_their_scripts_run_under_the_policy(page, live_server):
    artist = ArtistFactory(name="Harbour Collective", slug="harbour-collective")
    release = ReleaseFactory(artist=artist, title="Harbour Days")
    track = TrackFactory(artist=artist, release=release, title="Harbour Lights")
    fan = UserFactory(username="ana", email="ana@example.com")
    playlist = playlists.create_playlist(owner=fan, title="Dawn", visibility="public")
    playlists.add_tracks(playlist=playlist, tracks=[track], by=fan)
    violations = collect_violations(page)
    sign_in(page, live_server, fan)

    for path in [
        "/",
        artist.get_absolute_url(),
        release.get_absolute_url(),
        track.get_absolute_url(),
        playlist.get_absolute_url(),
        "/radio/",
        "/collab/",
        "/notifications/",
        "/library/",
    ]:
        page.goto(path)
        page.wait_for_load_state("networkidle")

    # Scripts run: the header search suggests as one types (search.js, an htmx-free fetch).
    box = page.get_by_role("combobox", name="Search music, artists, playlists and tags")
    box.press_sequentially("harb", delay=60)
    expect(page.get_by_role("listbox", name="Instant results")).to_be_visible()
    # htmx runs (its indicator styles would be an inline <style>): following swaps the button.
    page.goto(artist.get_absolute_url())
    page.get_by_role("button", name="Follow Harbour Collective", exact=True).click()
    following = page.get_by_role("button", name="Following Harbour Collective", exact=True)
    expect(following).to_have_attribute("aria-pressed", "true")

    assert violations == []
