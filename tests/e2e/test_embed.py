"""Sharing and embedding: the share menu builds embed code, and a page on another origin plays
a playlist through it, counted as an embed play from that site."""

import re

import pytest
from playwright.sync_api import expect

from analytics.models import Source, StreamStart
from backstage.models import User
from playlists import services as playlist_services
from playlists import sharing
from tests.e2e.axe import serious_violations
from tests.e2e.conftest import screenshot, wait_until_playing_past
from tests.e2e.seed import seed_catalogue, upload_track
from tests.factories import ArtistFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def seed_playlist():
    artist = ArtistFactory(name="Sea Choir", slug="sea-choir")
    tracks = [upload_track(artist=artist, seconds=8, title=t) for t in ("Rope", "Gull <b>")]
    owner = User.objects.create_user("curator", "curator@example.com", "x", display_name="Cura")
    playlist = playlist_services.create_playlist(
        owner=owner, title="Sea <script>alert(1)</script> Songs", description="Salt & spray"
    )
    playlist_services.add_tracks(playlist=playlist, tracks=tracks, by=owner)
    playlist.refresh_from_db()
    return playlist


def test_the_share_menu_builds_embed_code_live(page, phone, site):
    urls = seed_catalogue()
    page.goto(urls["release"])
    page.get_by_text("Share", exact=True).click()
    code = page.get_by_label("Embed code")
    expect(code).to_be_visible()
    expect(code).to_have_value(re.compile(r'^<iframe src="http://[^"]+/embed/release/\w+'))
    page.get_by_label("Theme").select_option("dark")
    page.get_by_label("Size").select_option("compact")
    expect(code).to_have_value(
        re.compile(r"\?theme=dark&amp;size=compact\" width=\"560\" height=\"80\"")
    )
    assert 'title="Low Tide by Harbour Lights — Backstage player"' in code.input_value()
    page.get_by_role("button", name="Copy embed code").click()
    expect(page.get_by_role("status").filter(has_text="Copied")).to_have_text("Copied embed code.")
    assert serious_violations(page) == []
    screenshot(page, "share-menu")

    # Keyboard: the menu opens and closes from its summary, and its fields are reachable.
    page.goto(urls["track"])
    summary = page.locator("summary", has_text="Share")
    summary.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_label("Start at (seconds)")).to_be_visible()
    page.get_by_label("Start at (seconds)").fill("3")
    expect(page.get_by_label("Embed code")).to_have_value(re.compile(r"\?t=3\""))
    summary.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_label("Embed code")).to_be_hidden()

    # On a phone, on an artist page.
    phone.goto(f"/@{urls['slug']}/")
    phone.get_by_text("Share", exact=True).click()
    expect(phone.get_by_role("link", name="WhatsApp")).to_be_visible()
    assert serious_violations(phone) == []
    screenshot(phone, "share-menu-phone")


def test_a_playlist_embedded_on_another_site_plays_and_counts_as_an_embed_play(
    page, site, other_origin
):
    playlist = seed_playlist()
    folder, origin = other_origin
    code = sharing.iframe_code(sharing.share_of(playlist))
    (folder / "index.html").write_text(
        "<!doctype html><html lang=en><title>A blog</title><h1>My favourite songs</h1>" + code
    )
    page.goto(origin + "/")
    frame = page.frame_locator("iframe")
    expect(frame.get_by_role("heading")).to_have_text("Sea <script>alert(1)</script> Songs")
    expect(frame.get_by_role("button", name=re.compile("Gull <b>"))).to_be_visible()
    frame.get_by_role("button", name="Play").click()
    embedded = next(f for f in page.frames if "/embed/playlist/" in f.url)
    wait_until_playing_past(embedded, 0.5)
    expect(frame.get_by_role("button", name="Pause")).to_be_visible()
    start = StreamStart.objects.get()
    assert (start.source, start.origin, start.context) == (Source.EMBED, origin, playlist.public_id)
    assert start.track.title == "Rope"

    # Picking the second track plays it, counted the same way.
    first_source = embedded.evaluate("document.querySelector('audio').currentSrc")
    frame.get_by_role("button", name=re.compile("Gull")).click()
    wait_until_playing_past(embedded, 0.3, source_not=first_source)
    assert StreamStart.objects.count() == 2
    assert set(StreamStart.objects.values_list("source", "origin")) == {(Source.EMBED, origin)}
    screenshot(page, "embed-on-other-site")


def test_starting_one_embed_pauses_another_on_the_same_page(page, site, other_origin):
    playlist = seed_playlist()
    folder, origin = other_origin
    code = sharing.iframe_code(sharing.share_of(playlist))
    (folder / "index.html").write_text("<!doctype html><title>Two players</title>" + code * 2)
    page.goto(origin + "/")
    first, second = page.frame_locator("iframe >> nth=0"), page.frame_locator("iframe >> nth=1")
    first.get_by_role("button", name="Play").click()
    expect(first.get_by_role("button", name="Pause")).to_be_visible()
    second.get_by_role("button", name="Play").click()
    expect(second.get_by_role("button", name="Pause")).to_be_visible()
    expect(first.get_by_role("button", name="Play")).to_be_visible()


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_embed_pages_are_accessible_and_look_right(page, phone, site, theme):
    playlist = seed_playlist()
    release_url = seed_catalogue()["release"]
    track = playlist.items.first().track
    pages = {
        "playlist": f"/embed/playlist/{playlist.public_id}?theme={theme}",
        "track": f"/embed/track/{track.public_id}?theme={theme}",
        "release": f"/embed/release/{release_url.split('/')[2]}?theme={theme}&size=compact",
        "artist": f"/embed/artist/harbour-lights?theme={theme}",
    }
    problems = {}
    for name, url in pages.items():
        page.set_viewport_size({"width": 560, "height": 420 if name != "track" else 160})
        page.goto(url)
        problems[name] = serious_violations(page)
        screenshot(page, f"embed-{name}-{theme}")
    phone.goto(pages["playlist"])
    problems["phone"] = serious_violations(phone)
    assert problems == {name: [] for name in problems}


def test_a_track_embed_starts_at_the_chosen_second(page, site):
    track = seed_playlist().items.first().track
    page.goto(f"/embed/track/{track.public_id}?t=5")
    page.get_by_role("button", name="Play").click()
    wait_until_playing_past(page, 4.9)
    expect(page.locator("[data-time]")).to_contain_text("0:05 / 0:08")
    start = StreamStart.objects.get()
    assert (start.source, start.origin) == (Source.EMBED, "")  # opened directly: no embedding site
