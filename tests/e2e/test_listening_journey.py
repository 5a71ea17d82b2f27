"""A musician signs up, uploads, and their music keeps playing while they browse."""

import json
import re
import time

import pytest
from django.core import mail
from playwright.sync_api import expect

from tests.audio_files import audio_file
from tests.e2e.axe import serious_violations
from tests.e2e.conftest import screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def current_time(page) -> float:
    return page.evaluate("document.getElementById('player-audio').currentTime")


def wait_until_playing_past(page, seconds: float) -> None:
    page.wait_for_function(
        f"() => {{ const a = document.getElementById('player-audio');"
        f" return !a.paused && a.currentTime > {seconds}; }}"
    )


def sign_up(page, email: str) -> None:
    page.goto("/accounts/signup/")
    page.locator("#id_email").fill(email)
    page.locator("#id_password1").fill("a long enough passphrase 42")
    page.locator("#id_password2").fill("a long enough passphrase 42")
    page.get_by_role("button", name="Sign Up").click()
    expect(page.get_by_text("Verify Your Email Address")).to_be_visible()
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[-1].body).group(0)
    page.goto(link[link.index("/accounts/") :])
    page.get_by_role("button", name="Confirm").click()


def test_an_artist_uploads_a_track_and_it_keeps_playing_across_pages(page, live_server):
    sign_up(page, "nova@example.com")
    page.get_by_role("link", name="Become an artist").click()
    page.get_by_label("Name").fill("Nova Reed")
    page.get_by_label("Address").fill("nova-reed")
    page.get_by_label("Bio").fill("Songs for late trains.")
    page.get_by_role("button", name="Create my artist page").click()
    expect(page.get_by_role("heading", name="Nova Reed")).to_be_visible()

    page.get_by_role("link", name="Upload").first.click()
    page.locator("#id_files").set_input_files(str(audio_file("flac", seconds=40)))
    expect(page.locator(".upload-item")).to_contain_text("Ready to upload")
    page.get_by_role("button", name="Upload", exact=True).click()
    progress = page.locator(".upload-item progress")
    expect(progress).to_be_visible()
    expect(progress).to_have_attribute("value", "100")
    expect(page.locator(".upload-item")).to_contain_text("Ready", timeout=60_000)
    screenshot(page, "upload-done")

    page.locator(".upload-item a").click()
    expect(page.locator("[data-track-ready]")).to_be_visible()
    page.get_by_role("button", name=re.compile("^Play ")).first.click()
    wait_until_playing_past(page, 0.5)

    # Navigate (boosted, the player survives) and check the music goes on.
    page.get_by_role("link", name="Discover").click()
    expect(page.get_by_role("heading", name="Music straight from the people")).to_be_visible()
    before = current_time(page)
    page.wait_for_timeout(1200)
    assert current_time(page) > before + 0.5
    assert page.evaluate("document.getElementById('player-audio').paused") is False
    expect(page.locator(".player-title")).to_have_text(re.compile("melody|Nova|.+"))

    # Back on the track page (through the player's own link), the waveform seeks.
    page.locator(".player-title").click()
    waveform = page.locator("#main [data-waveform]")
    expect(waveform).to_be_visible()
    # Once the swap has settled and the audio can play on, a click in the middle jumps to 20 s
    # of the 40 s track: sooner than playing on from where it is could get past 17 s.
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-settling, .htmx-swapping')"
        " && document.getElementById('player-audio').readyState >= 3"
    )
    box = waveform.bounding_box()
    before, clicked = current_time(page), time.monotonic()
    waveform.click(position={"x": box["width"] * 0.5, "y": box["height"] / 2})
    page.wait_for_function(
        "() => document.getElementById('player-audio').currentTime > 17", timeout=30_000
    )
    assert time.monotonic() - clicked < 17 - before, "got past 17 s by playing on, not seeking"
    assert 17 < current_time(page) < 26
    screenshot(page, "track-playing")


def test_keyboard_shortcuts_control_the_player(page, live_server):
    from tests.e2e.seed import seed_playable_track

    track = seed_playable_track(seconds=30)
    page.goto(track.get_absolute_url())
    page.get_by_role("button", name=re.compile("^Play ")).first.click()
    wait_until_playing_past(page, 0.2)
    page.locator("h1").click()  # focus the page, not a button
    page.keyboard.press("Space")
    page.wait_for_function("() => document.getElementById('player-audio').paused")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert current_time(page) >= 9.5
    page.keyboard.press("Space")
    page.wait_for_function("() => !document.getElementById('player-audio').paused")


MAIN_PAGES = ["/", "/@{slug}/", "{track}", "{release}", "/accounts/signup/", "/accounts/login/"]


def test_main_pages_have_no_serious_accessibility_violations(page, phone, live_server):
    from tests.e2e.seed import seed_catalogue

    urls = seed_catalogue()
    problems = {}
    for template in MAIN_PAGES:
        url = template.format(**urls)
        for viewport, tab in (("desktop", page), ("phone", phone)):
            tab.goto(url)
            name = template.strip("/{}").replace("/", "-").replace("@", "") or "home"
            screenshot(tab, f"{viewport}-{name[:40]}")
            found = serious_violations(tab)
            if found:
                problems[f"{viewport} {url}"] = found
    assert problems == {}, json.dumps(problems, indent=1)
