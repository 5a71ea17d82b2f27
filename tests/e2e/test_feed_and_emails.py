"""A signed-in fan's home feed, their preferences, and the unsubscribe page from an e-mail:
accessible, and screenshotted for a look."""

import pytest
from playwright.sync_api import expect

from artists import notifications
from artists.models import Follow
from tests.e2e.axe import serious_violations
from tests.e2e.conftest import screenshot, sign_in
from tests.factories import ArtistFactory, ReleaseFactory, TrackFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def fan_with_follows():
    fan = UserFactory(username="june", email="june@example.com", display_name="June")
    artist = ArtistFactory(name="Harbour Collective", slug="harbour-collective")
    Follow.objects.create(user=fan, artist=artist)
    release = ReleaseFactory(artist=artist, title="Low Tide", kind="ep")
    TrackFactory(artist=artist, release=release, title="Rope")
    TrackFactory(artist=artist, title="Lantern")
    TrackFactory(artist=artist, title="Private Sketch", visibility="private")
    return fan


def test_the_feed_shows_new_music_from_followed_artists(page, live_server, fan_with_follows):
    sign_in(page, live_server, fan_with_follows)
    page.goto("/")
    feed = page.get_by_role("region", name="New from artists you follow")
    expect(feed).to_contain_text("Low Tide")
    expect(feed).to_contain_text("Lantern")
    expect(feed).not_to_contain_text("Private Sketch")
    expect(feed.get_by_role("button", name="Play Lantern by Harbour Collective")).to_be_visible()
    assert serious_violations(page) == []
    screenshot(page, "feed-home")


def test_preferences_are_saved(page, live_server, fan_with_follows):
    sign_in(page, live_server, fan_with_follows)
    page.goto("/")
    page.get_by_role("link", name="Preferences").click()
    box = page.get_by_label("E-mail me when an artist I follow releases music")
    expect(box).to_be_checked()
    assert serious_violations(page) == []
    box.uncheck()
    page.get_by_role("button", name="Save preferences").click()
    expect(page.get_by_text("Your preferences are saved.")).to_be_visible()
    expect(
        page.get_by_label("E-mail me when an artist I follow releases music")
    ).not_to_be_checked()
    screenshot(page, "preferences")


def test_the_unsubscribe_link_asks_then_unsubscribes_without_login(page, fan_with_follows):
    page.goto(notifications.unsubscribe_path(fan_with_follows))
    expect(page.get_by_text("june@example.com")).to_be_visible()
    assert serious_violations(page) == []
    screenshot(page, "unsubscribe-confirm")
    page.get_by_role("button", name="Unsubscribe").click()
    expect(page.get_by_role("status").filter(has_text="will no longer get e-mails")).to_be_visible()
    fan_with_follows.refresh_from_db()
    assert fan_with_follows.email_new_releases is False
    screenshot(page, "unsubscribe-done")
