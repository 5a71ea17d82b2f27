"""Two artists write to each other in Chromium: Ana starts from Bo's page, Bo sees the unread
count in the header, answers without a page load (htmx), and Ana's open conversation receives
the answer by polling. Inbox and conversation pages pass axe-core."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.axe import serious_violations
from tests.e2e.conftest import screenshot, sign_in
from tests.factories import ArtistFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_two_artists_exchange_messages(browser, live_server):
    ana = ArtistFactory(name="Ana Vox", slug="ana-vox")
    bo = ArtistFactory(name="Bo Beats", slug="bo-beats")
    ana_tab = browser.new_context(base_url=live_server.url).new_page()
    bo_tab = browser.new_context(base_url=live_server.url).new_page()
    sign_in(ana_tab, live_server, ana.user)
    sign_in(bo_tab, live_server, bo.user)

    ana_tab.goto("/@bo-beats/")
    ana_tab.get_by_role("link", name="Message", exact=True).click()
    ana_tab.get_by_label("Your message").fill("Want to sing on <my> track?")
    ana_tab.get_by_role("button", name="Send").click()
    expect(ana_tab.locator("#message-list")).to_contain_text("Want to sing on <my> track?")
    conversation_url = ana_tab.url

    bo_tab.goto("/")
    expect(bo_tab.get_by_role("link", name="Messages, 1 unread")).to_be_visible()
    bo_tab.get_by_role("link", name="Messages, 1 unread").click()
    expect(bo_tab.locator(".conversation-row.unread")).to_contain_text("Ana Vox")
    assert serious_violations(bo_tab) == []
    bo_tab.locator(".conversation-row a").click()
    expect(bo_tab.locator("#message-list")).to_contain_text("Want to sing on <my> track?")

    # Bo answers twice; the page is never reloaded (a marker on window survives).
    bo_tab.evaluate("window.stillHere = true")
    for text in ("Yes, gladly!", "When do we start?"):
        bo_tab.get_by_role("textbox", name="Message").fill(text)
        bo_tab.get_by_role("button", name="Send").click()
        expect(bo_tab.locator("#message-list li.mine").last).to_contain_text(text)
    expect(bo_tab.get_by_role("textbox", name="Message")).to_have_value("")
    assert bo_tab.evaluate("window.stillHere") is True
    assert bo_tab.locator("#message-list li").count() == 3
    assert serious_violations(bo_tab) == []
    screenshot(bo_tab, "messages-conversation")

    # Ana's open conversation polls (every 15 s) and shows the answers.
    assert ana_tab.url == conversation_url
    expect(ana_tab.locator("#message-list")).to_contain_text("When do we start?", timeout=25_000)
    expect(ana_tab.locator("#message-list li")).to_have_count(3)
    ana_tab.goto("/")
    expect(ana_tab.get_by_role("link", name=re.compile(r"^Messages"))).to_have_attribute(
        "aria-label", "Messages"
    )

    # Bo blocks Ana from the conversation: the form gives way to the notice at once.
    bo_tab.get_by_role("button", name="Block Ana Vox").click()
    expect(bo_tab.locator("#compose")).to_contain_text("You blocked Ana Vox")
    expect(bo_tab.get_by_role("textbox", name="Message")).to_have_count(0)
    expect(bo_tab.locator("#message-list li")).to_have_count(3)  # the history stays
    ana_tab.context.close()
    bo_tab.context.close()
