"""A fan builds a playlist from track pages, reorders it by drag and drop and by keyboard,
reloads, plays it and shares it: another site embeds it with the code from the share menu and
plays it there, counted as an embed play. Library, playlist and profile pages pass axe-core."""

import re

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from analytics.models import Source, StreamStart
from tests.e2e.axe import serious_violations
from tests.e2e.conftest import screenshot, wait_until_playing_past
from tests.e2e.seed import seed_catalogue
from tests.factories import TrackFactory, UserFactory
from tracks.models import Track

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def sign_in(tab, live_server, user) -> None:
    """Share a Django session with the browser (the login form has tests of its own)."""
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    tab.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
    )


def titles(page) -> list[str]:
    return page.locator("#playlist-items li[data-item]").evaluate_all(
        "rows => rows.map(r => r.dataset.title)"
    )


def add_from_track_page(page, title: str, playlist: str) -> None:
    page.goto(Track.objects.get(title=title).get_absolute_url())
    menu = page.locator(".music-info .add-menu")
    menu.locator("summary").click()
    menu.get_by_role("button", name=playlist).click()
    expect(page.locator(".messages")).to_contain_text(f"Added “{title}” to “{playlist}”")


def test_a_fan_builds_reorders_plays_and_shares_a_playlist(page, live_server, site, other_origin):
    seed_catalogue()
    fan = UserFactory(username="wren", display_name="Wren")
    sign_in(page, live_server, fan)

    # The first track starts a new playlist from its "Add to playlist" menu.
    page.goto(Track.objects.get(title="Rope").get_absolute_url())
    page.locator(".music-info .add-menu summary").click()
    screenshot(page, "playlist-add-menu")
    page.get_by_role("link", name="New playlist…").first.click()
    page.get_by_label("Title").fill("Ferry songs")
    page.get_by_role("button", name="Create playlist").click()
    expect(page.get_by_role("heading", name="Ferry songs")).to_be_visible()

    for title in ("Gull", "Ferry", "Lantern"):
        add_from_track_page(page, title, "Ferry songs")
    page.get_by_role("link", name="Library").click()
    page.get_by_role("link", name="Your playlists").click()
    page.get_by_role("link", name="Ferry songs").click()
    expect(page.locator("#playlist-items li[data-item]")).to_have_count(4)
    assert titles(page) == ["Rope", "Gull", "Ferry", "Lantern"]

    # Drag "Lantern" by its row onto the top of the list.
    rows = page.locator("#playlist-items li[data-item]")
    rows.nth(3).locator(".drag-handle").drag_to(rows.nth(0), target_position={"x": 20, "y": 3})
    expect(page.locator("#playlist-live")).to_contain_text("Moved Lantern to position 1")
    assert titles(page) == ["Lantern", "Rope", "Gull", "Ferry"]

    # And "Rope" down one with the keyboard; focus stays on its button.
    page.get_by_role("button", name="Move down: Rope").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#playlist-live")).to_contain_text("Moved Rope to position 3")
    assert titles(page) == ["Lantern", "Gull", "Rope", "Ferry"]
    focused = page.evaluate("document.activeElement.getAttribute('aria-label')")
    assert focused and focused.endswith(": Rope")

    page.reload()
    assert titles(page) == ["Lantern", "Gull", "Rope", "Ferry"]
    screenshot(page, "playlist-page")

    page.get_by_role("button", name="Play all").click()
    page.wait_for_function(
        "() => { const a = document.getElementById('player-audio');"
        " return !a.paused && a.currentTime > 0.2; }"
    )
    expect(page.locator(".player-title")).to_have_text("Lantern")

    page.get_by_role("button", name="Shuffle").click()
    queued = page.evaluate("window.backstagePlayer.state.queue.map(item => item.title)")
    assert sorted(queued) == ["Ferry", "Gull", "Lantern", "Rope"]
    page.locator("[data-action='toggle']").click()  # pause before sharing

    # Share: the embed code from the share menu, pasted into a page on another origin.
    page.locator(".music-info").get_by_text("Share", exact=True).click()
    code = page.get_by_label("Embed code").input_value()
    assert "/embed/playlist/" in code
    folder, blog = other_origin
    (folder / "index.html").write_text(
        "<!doctype html><html lang=en><title>Wren's blog</title><h1>Listen</h1>" + code
    )
    before = StreamStart.objects.count()
    page.goto(blog + "/")
    frame = page.frame_locator("iframe")
    expect(frame.get_by_role("heading")).to_have_text("Ferry songs")
    frame.get_by_role("button", name="Play").click()
    embedded = next(f for f in page.frames if "/embed/playlist/" in f.url)
    wait_until_playing_past(embedded, 0.3)
    assert StreamStart.objects.count() == before + 1
    start = StreamStart.objects.order_by("-started_at").first()
    assert (start.source, start.origin, start.track.title) == (Source.EMBED, blog, "Lantern")
    screenshot(page, "playlist-embedded-elsewhere")


def test_library_playlist_and_profile_pages_pass_axe(page, phone, live_server):
    catalogue = seed_catalogue()
    fan = UserFactory(username="wren", display_name="Wren")
    from playlists import services

    playlist = services.create_playlist(
        owner=fan, title="Dock <evening>", description="For the\nlast ferry."
    )
    services.add_tracks(playlist=playlist, tracks=list(Track.objects.all()), by=fan)
    for track in Track.objects.all()[:2]:
        services.set_track_saved(user=fan, track=track, on=True)
    mix = services.create_playlist(owner=UserFactory(username="kit"), title="Kit's mix")
    services.invite_collaborator(playlist=mix, user=fan)  # an invitation waits in the library
    pages = {
        "library": "/library/",
        "library-playlists": "/library/?section=playlists",
        "playlist": playlist.get_absolute_url(),
        "invited-playlist": mix.get_absolute_url(),
        "profile": f"/u/{fan.username}/",
        "new-playlist": "/playlists/new",
        "edit-playlist": f"/playlist/{playlist.public_id}/edit/",
        "collaborators": f"/playlist/{playlist.public_id}/collaborators/",
        "add-chooser": f"/playlists/add?track={Track.objects.first().public_id}",
        "release-signed-in": catalogue["release"],
        "artist-signed-in": f"/@{catalogue['slug']}/",
    }
    for viewport, tab in (("desktop", page), ("phone", phone)):
        sign_in(tab, live_server, fan)
        for name, url in pages.items():
            tab.goto(url)
            expect(tab.locator("#main h1")).to_be_visible()
            found = serious_violations(tab)
            screenshot(tab, f"{name}-{viewport}")
            assert found == [], f"{name} ({viewport}): {found}"
        # The hostile-looking title is text, not markup.
        tab.goto(playlist.get_absolute_url())
        expect(tab.get_by_role("heading", name=re.compile("Dock <evening>"))).to_be_visible()


def test_save_and_add_work_with_htmx_and_without_javascript(browser, page, live_server):
    seed_catalogue()
    fan = UserFactory(username="wren", display_name="Wren")
    from playlists import services

    services.create_playlist(owner=fan, title="Quiet ones")
    url = Track.objects.get(title="Gull").get_absolute_url()

    # With JavaScript: the button alone is swapped, the page stays (and so does the player).
    sign_in(page, live_server, fan)
    page.goto(url)
    page.evaluate("window.marker = 'still here'")
    save = page.locator(".music-info").get_by_role("button", name="Save Gull")
    save.click()
    expect(page.locator(".music-info").get_by_role("button", name="Saved Gull")).to_have_attribute(
        "aria-pressed", "true"
    )
    assert page.evaluate("window.marker") == "still here"

    # Without JavaScript: plain forms, back to the same page with a message.
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    plain = context.new_page()
    sign_in(plain, live_server, fan)
    plain.goto(url)
    plain.locator(".music-info").get_by_role("button", name="Saved Gull").click()
    expect(plain.locator(".messages")).to_contain_text("Removed from your library.")
    expect(plain.locator(".music-info").get_by_role("button", name="Save Gull")).to_have_attribute(
        "aria-pressed", "false"
    )
    plain.locator(".music-info .add-menu summary").click()
    plain.locator(".music-info .add-menu").get_by_role("link", name="Choose a playlist…").click()
    expect(plain.get_by_role("heading", name="Add “Gull” to a playlist")).to_be_visible()
    plain.get_by_role("button", name="Quiet ones").click()
    expect(plain.locator(".messages")).to_contain_text("Added “Gull” to “Quiet ones”.")
    assert plain.url.endswith(url)
    screenshot(plain, "track-page-no-js")
    context.close()


def test_add_and_share_menus_close_with_escape_and_a_click_elsewhere(page, live_server):
    first_track = TrackFactory(title="Menu song")
    tracks = [first_track, TrackFactory(title="Another song", artist=first_track.artist)]
    sign_in(page, live_server, UserFactory())
    page.goto(tracks[0].get_absolute_url())
    menus = page.locator("details.add-menu")
    first, second = menus.nth(0), menus.nth(1)

    first.locator("summary").click()
    expect(first.get_by_role("link", name="New playlist…")).to_be_visible()
    page.keyboard.press("Tab")  # into the menu
    page.keyboard.press("Escape")
    expect(first).not_to_have_attribute("open", "")
    expect(first.locator("summary")).to_be_focused()

    first.locator("summary").click()
    second.locator("summary").click()  # opening another closes the first
    expect(first).not_to_have_attribute("open", "")
    expect(second).to_have_attribute("open", "")
    page.locator("h1").click()
    expect(second).not_to_have_attribute("open", "")

    share = page.locator("details.share-menu")
    share.locator("summary").focus()
    page.keyboard.press("Enter")
    expect(share).to_have_attribute("open", "")
    page.keyboard.press("Escape")
    expect(share).not_to_have_attribute("open", "")
    expect(share.locator("summary")).to_be_focused()


def test_a_rows_buttons_line_up_with_each_other(page, live_server):
    fan = UserFactory()
    first = TrackFactory(title="Top")
    tracks = [first, TrackFactory(title="Middle", artist=first.artist)]
    from playlists import services

    playlist = services.create_playlist(owner=fan, title="Aligned")
    services.add_tracks(playlist=playlist, tracks=tracks, by=fan)
    sign_in(page, live_server, fan)
    page.goto(playlist.get_absolute_url())
    for row in page.locator("#playlist-items li[data-item]").all():
        centres = {
            round(box["y"] + box["height"] / 2)
            for box in (b.bounding_box() for b in row.locator(".track-row-actions button").all())
        }
        assert max(centres) - min(centres) <= 1, centres  # the move buttons sat 4-6 px lower
