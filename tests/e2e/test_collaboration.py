"""Issue 7's journey in Chromium, two artists in two browsers: A posts a call, B finds A by
filtering the artist directory and the call by filtering the board, and answers, A accepts, they
exchange a message, A credits B on a track with a 60/40 split, B confirms the credit and accepts
the split, and the track appears on B's page. Every page passes axe-core."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from collab.models import Application, today
from payments.models import Split
from tests.e2e.axe import serious_violations
from tests.e2e.conftest import screenshot, sign_in
from tests.factories import ArtistFactory, TrackFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_of(browser, live_server):
    """browser_of(artist): a page in its own browser context, signed in as that artist."""
    contexts = []

    def open_as(artist):
        contexts.append(browser.new_context(base_url=live_server.url))
        page = contexts[-1].new_page()
        page.set_default_timeout(15_000)
        sign_in(page, live_server, artist.user)
        return page

    yield open_as
    for context in contexts:
        context.close()


def credit_with_a_split(a_page, b_page, a, b, track) -> None:
    """A credits B on the track with a 60/40 split; B confirms both; the track is on B's page."""
    a_page.goto(track.get_absolute_url())
    a_page.get_by_role("link", name="Credits", exact=True).click()
    heading = f"Credits and splits for “{track.title}”"
    expect(a_page.get_by_role("heading", name=heading)).to_be_visible()
    a_page.get_by_label("Artist", exact=True).fill(b.slug)
    a_page.get_by_label("Role").select_option("featuring")
    a_page.get_by_role("button", name="Add credit").click()
    expect(a_page.locator("[data-credits]")).to_contain_text(f"{b.name} — Featuring")
    a_page.get_by_label("Propose a split").fill(f"{a.slug} 60\n{b.slug} 50")
    a_page.get_by_role("button", name="Propose split").click()
    expect(a_page.get_by_role("alert")).to_contain_text("The shares add up to 110.00 %")
    a_page.get_by_label("Propose a split").fill(f"{a.slug} 60\n{b.slug} 40")
    a_page.get_by_role("button", name="Propose split").click()
    expect(a_page.locator(".proposal-pending")).to_contain_text(
        f"{b.name}: 40 % — Not answered yet"
    )
    assert serious_violations(a_page) == []
    screenshot(a_page, "collaboration-credits")
    assert not Split.objects.exists()  # nothing changes before B accepts

    b_page.goto("/")
    # The notification (under the bell) leads to Studio → Credits.
    b_page.get_by_role("link", name=re.compile(r"^Notifications, \d+ unread")).click()
    notice = f"{a.name} credits you as Featuring on “{track.title}”. Confirm or decline."
    b_page.get_by_role("link", name=notice).click()
    expect(b_page.get_by_role("heading", name="Credits", exact=True)).to_be_visible()
    assert serious_violations(b_page) == []
    screenshot(b_page, "collaboration-credits-inbox")
    b_page.get_by_role("button", name=f"Confirm your credit on {track.title}").click()
    expect(b_page.get_by_role("main")).to_contain_text("Credit confirmed: you appear on")
    b_page.get_by_role("button", name=f"Accept the split of {track.title}").click()
    expect(b_page.get_by_role("main")).to_contain_text("Split accepted. Everyone has")
    assert sorted(Split.objects.values_list("artist__slug", "basis_points")) == sorted(
        [(a.slug, 6000), (b.slug, 4000)]
    )

    b_page.goto(b.get_absolute_url())
    appears = b_page.locator("section.appears-on")
    expect(appears.get_by_role("heading", name="Appears on")).to_be_visible()
    expect(appears.get_by_role("link", name=track.title)).to_be_visible()
    assert serious_violations(b_page) == []
    screenshot(b_page, "collaboration-appears-on")
    appears.get_by_role("link", name=track.title).click()
    expect(b_page.locator(".credit-line")).to_contain_text(f"feat. {b.name}")
    assert serious_violations(b_page) == []


def test_issue_7_from_a_call_to_a_credit_on_the_collaborators_page(browser_of):
    a = ArtistFactory(name="Mira Sol", slug="mira-sol", skills=["producer"])
    b = ArtistFactory(name="Ana Voz", slug="ana-voz", skills=["vocalist"], open_to_collab=True)
    track = TrackFactory(artist=a, title="Downtempo Sketch")
    mira, ana = browser_of(a), browser_of(b)

    # A posts a call.
    mira.goto("/collab/")
    mira.get_by_role("link", name="Post a call").click()
    mira.get_by_label("Title").fill("Vocalist for a downtempo track")
    mira.get_by_label("Description").fill("Half written; I need a voice for the chorus.")
    mira.get_by_role("group", name="Skills wanted").get_by_label("Vocalist").check()
    mira.get_by_label("Genre").fill("Downtempo")
    mira.get_by_label("Revenue share").check()
    mira.get_by_label("Deadline").fill((today() + datetime.timedelta(days=30)).isoformat())
    mira.get_by_role("button", name="Post the call").click()
    expect(mira.get_by_role("heading", level=1)).to_have_text("Vocalist for a downtempo track")
    assert serious_violations(mira) == []
    call_url = mira.url

    # B looks for a producer in the artist directory, finds A, then A's call on the board.
    ana.goto("/")
    ana.get_by_role("link", name="Collaborate").click()
    ana.get_by_role("link", name="Artist directory").click()
    expect(ana.get_by_role("heading", name="Artist directory")).to_be_visible()
    ana.get_by_label("Skill").select_option(label="Producer")
    ana.get_by_role("button", name="Filter").click()
    ana.wait_for_url(re.compile(r"skill=producer"))
    found = ana.locator("ul.artist-directory")
    expect(found.get_by_role("link", name="Mira Sol")).to_be_visible()
    expect(found.get_by_role("link", name="Ana Voz")).to_have_count(0)  # a vocalist, not a producer
    assert serious_violations(ana) == []
    ana.get_by_role("link", name="Open calls").click()
    ana.wait_for_url(re.compile(r"/collab/$"))
    ana.get_by_label("Skill").select_option(label="Vocalist")
    ana.get_by_role("button", name="Filter").click()
    assert serious_violations(ana) == []
    ana.get_by_role("link", name="Vocalist for a downtempo track").click()
    ana.get_by_label("Your message").fill("I sing low and slow.")
    ana.get_by_role("button", name="Send my answer").click()
    expect(ana.get_by_text("Your answer is on its way to Mira Sol.")).to_be_visible()
    assert serious_violations(ana) == []

    # A accepts and writes to B; B answers.
    mira.goto(call_url)
    expect(mira.get_by_text("I sing low and slow.")).to_be_visible()
    mira.get_by_role("button", name="Accept").click()
    mira.get_by_role("link", name="Message Ana Voz").click()
    mira.get_by_label("Your message").fill("Welcome aboard! Stems are coming tonight.")
    mira.get_by_role("button", name="Send").click()
    expect(mira.locator("#message-list")).to_contain_text("Stems are coming tonight.")
    assert serious_violations(mira) == []
    assert Application.objects.get().status == "accepted"

    ana.goto("/messages/")
    ana.get_by_role("link", name="Mira Sol").click()
    expect(ana.locator("#message-list")).to_contain_text("Stems are coming tonight.")
    ana.get_by_label("Message", exact=True).fill("Great, I will record on Friday.")
    ana.get_by_role("button", name="Send").click()
    expect(ana.locator("#message-list")).to_contain_text("I will record on Friday.")
    assert serious_violations(ana) == []
    screenshot(ana, "collaboration-messages")

    # A credits B with a 60/40 split; B confirms; the track is on B's page.
    credit_with_a_split(mira, ana, a, b, track)
