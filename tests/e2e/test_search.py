"""Searching from the header: instant results while typing, arrow keys and Enter to one of
them; the results page with tabs, accessible, on a desktop and a phone."""

import re

import pytest
from playwright.sync_api import expect

from playlists.models import Playlist
from tests.e2e.axe import serious_violations
from tests.e2e.conftest import screenshot
from tests.factories import ArtistFactory, ReleaseFactory, TrackFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def catalogue():
    artist = ArtistFactory(name="Harbour Collective", slug="harbour-collective", location="Leith")
    release = ReleaseFactory(artist=artist, title="Harbour Days", kind="ep")
    TrackFactory(artist=artist, release=release, title="Harbour Lights", tags=["dream pop"])
    TrackFactory(artist=artist, release=release, title="Gulls Over the Harbour", genre="Folk")
    TrackFactory(artist=artist, title="Lantern", tags=["dream pop", "harbour songs"])
    TrackFactory(artist=artist, title="Hidden Harbour Demo", visibility="private")
    Playlist.objects.create(owner=UserFactory(display_name="Ana"), title="Harbour at dawn")
    return artist


def test_typing_shows_instant_results_and_the_keyboard_picks_one(page, catalogue):
    page.goto("/")
    box = page.get_by_role("combobox", name="Search music, artists, playlists and tags")
    box.press_sequentially("harb", delay=60)
    listbox = page.get_by_role("listbox", name="Instant results")
    expect(listbox).to_be_visible()
    expect(box).to_have_attribute("aria-expanded", "true")
    options = listbox.get_by_role("option")
    expect(options.first).to_contain_text("Harbour")
    expect(listbox).not_to_contain_text("Hidden")
    expect(page.locator("#site-search-status")).to_contain_text("suggestions")
    screenshot(page, "search-instant")

    box.press("ArrowDown")
    first = options.nth(0)
    expect(first).to_have_attribute("aria-selected", "true")
    expect(box).to_have_attribute("aria-activedescendant", first.get_attribute("id"))
    box.press("ArrowDown")
    expect(options.nth(1)).to_have_attribute("aria-selected", "true")
    box.press("ArrowUp")
    expect(first).to_have_attribute("aria-selected", "true")
    expected = first.locator(".suggest-title").inner_text()
    box.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(expected)
    assert "/track/" in page.url

    # Escape closes the list; focus stays in the box.
    box = page.get_by_role("combobox", name="Search music, artists, playlists and tags")
    box.press_sequentially("lant", delay=60)
    expect(page.get_by_role("listbox", name="Instant results")).to_be_visible()
    box.press("Escape")
    expect(page.get_by_role("listbox", name="Instant results")).to_be_hidden()
    expect(box).to_be_focused()


def test_enter_without_a_choice_opens_the_results_page_with_tabs(page, catalogue):
    page.goto("/")
    box = page.get_by_role("combobox", name="Search music, artists, playlists and tags")
    box.fill("harbour")
    box.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Results for “harbour”")
    tabs = page.get_by_role("navigation", name="Kinds of result")
    expect(tabs.get_by_role("link", name=re.compile("^Tracks 3"))).to_be_visible()
    expect(tabs.get_by_role("link", name=re.compile("^Releases 1"))).to_be_visible()
    expect(tabs.get_by_role("link", name=re.compile("^Artists 1"))).to_be_visible()
    expect(tabs.get_by_role("link", name=re.compile("^Playlists 1"))).to_be_visible()
    expect(tabs.get_by_role("link", name=re.compile("^Tags 1"))).to_be_visible()
    expect(page.locator("#main")).not_to_contain_text("Hidden Harbour Demo")
    assert serious_violations(page) == []
    screenshot(page, "search-results")

    tabs.get_by_role("link", name=re.compile("^Tracks")).click()
    expect(tabs.get_by_role("link", name=re.compile("^Tracks"))).to_have_attribute(
        "aria-current", "page"
    )
    expect(page.locator("[data-source=search] [data-play]")).to_have_count(3)
    assert serious_violations(page) == []


def test_a_tag_on_a_track_page_searches_for_it(page, catalogue):
    page.goto("/search?q=lantern&type=tracks")
    page.get_by_role("link", name="Lantern", exact=True).click()
    page.get_by_role("link", name="#dream pop").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Results for “#dream pop”")
    expect(page.locator("#main .tracklist")).to_contain_text("Harbour Lights")
    expect(page.locator("#main .tracklist")).to_contain_text("Lantern")


def test_search_works_on_a_phone(phone, catalogue):
    phone.goto("/search?q=harb")
    expect(phone.get_by_role("heading", level=1)).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert serious_violations(phone) == []
    screenshot(phone, "search-results-phone")
