"""The collaboration board in Chromium: an artist posts a call with a private reference track,
another finds it by filtering the board, hears the reference only after answering, and the
poster accepts; every page passes axe."""

import datetime

import pytest
from playwright.sync_api import expect

from collab.models import Application, today
from tests.e2e.axe import serious_violations
from tests.e2e.conftest import screenshot, sign_in
from tests.e2e.seed import upload_track
from tests.factories import ArtistFactory
from tracks import services as track_services

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_call_from_posting_to_acceptance(browser, live_server):
    poster = ArtistFactory(name="Mira Sol", slug="mira-sol")
    singer = ArtistFactory(name="Ana Voz", slug="ana-voz", skills=["vocalist"])
    sketch = upload_track(artist=poster, seconds=8, title="Rough Sketch")
    track_services.update_track(track=sketch, visibility="private")
    upload_track(artist=singer, seconds=4, title="Low Tide Demo")

    mira = browser.new_context(base_url=live_server.url).new_page()
    sign_in(mira, live_server, poster.user)
    mira.goto("/collab/")
    mira.get_by_role("link", name="Post a call").click()
    mira.get_by_label("Title").fill("Vocalist for a <downtempo> track")
    mira.get_by_label("Description").fill("Half written; I need a voice for the chorus.")
    mira.get_by_role("group", name="Skills wanted").get_by_label("Vocalist").check()
    mira.get_by_label("Genre").fill("Downtempo")
    mira.get_by_label("Revenue share").check()
    mira.get_by_label("Deadline").fill("2099-01-01")
    mira.get_by_role("button", name="Post the call").click()
    expect(mira.get_by_text("at most a year from today")).to_be_visible()
    assert serious_violations(mira) == []
    screenshot(mira, "collab-call-form")
    mira.get_by_label("Deadline").fill((today() + datetime.timedelta(days=30)).isoformat())
    mira.get_by_label("Reference track (optional)").select_option(label="Rough Sketch (private)")
    mira.get_by_role("button", name="Post the call").click()
    expect(mira.get_by_role("heading", level=1)).to_have_text("Vocalist for a <downtempo> track")
    call_url = mira.url

    ana = browser.new_context(base_url=live_server.url).new_page()
    sign_in(ana, live_server, singer.user)
    ana.goto("/")
    ana.get_by_role("link", name="Collaborate").click()
    ana.get_by_label("Skill").select_option(label="Vocalist")
    ana.get_by_label("Pay").select_option(label="Revenue share")
    ana.get_by_role("button", name="Filter").click()
    assert serious_violations(ana) == []
    screenshot(ana, "collab-board")
    ana.get_by_role("link", name="Vocalist for a <downtempo> track").click()
    expect(ana.get_by_role("button", name="Play the reference track Rough Sketch")).to_have_count(0)
    ana.get_by_label("Your message").fill("I sing low and slow.")
    ana.get_by_label("Low Tide Demo").check()
    ana.get_by_role("button", name="Send my answer").click()
    expect(ana.get_by_text("Your answer is on its way to Mira Sol.")).to_be_visible()

    ana.get_by_role("button", name="Play the reference track Rough Sketch").click()
    ana.wait_for_function(
        "() => { const a = document.querySelector('#player audio');"
        " return a && !a.paused && a.currentTime > 0.5; }"
    )
    assert serious_violations(ana) == []

    mira.goto(call_url)
    expect(mira.get_by_text("I sing low and slow.")).to_be_visible()
    mira.get_by_role("button", name="Accept").click()
    expect(mira.get_by_role("link", name="Message Ana Voz")).to_have_attribute(
        "href", f"/messages/with/ana-voz/?call={call_url.rstrip('/').rsplit('/', 1)[1]}"
    )
    assert serious_violations(mira) == []
    screenshot(mira, "collab-call-poster")
    assert Application.objects.get().status == "accepted"

    ana.goto("/collab/artists/?skill=vocalist")
    expect(ana.get_by_role("link", name="Ana Voz")).to_be_visible()
    assert serious_violations(ana) == []
    screenshot(ana, "collab-directory")
