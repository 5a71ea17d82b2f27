"""Issue 8 in a browser: a fan reports a track, staff take it down from the queue with a note,
the public no longer finds it, and the audit log says who did what."""

import pytest
from django.core import mail
from django.test import Client
from playwright.sync_api import expect

from tests.e2e.axe import serious_violations
from tests.e2e.conftest import screenshot, sign_in
from tests.factories import ArtistFactory, TrackFactory, UserFactory

pytestmark = pytest.mark.e2e


def test_a_fan_reports_a_track_and_staff_take_it_down_from_the_queue(browser, live_server):
    track = TrackFactory(artist=ArtistFactory(name="Copy Cat"), title="Borrowed Tune")
    fan = UserFactory(username="fan", email="fan@example.com")
    staff = UserFactory(username="mod", email="mod@example.com", is_staff=True, is_superuser=True)

    fan_tab = browser.new_context(base_url=live_server.url).new_page()
    sign_in(fan_tab, live_server, fan)
    fan_tab.goto(track.get_absolute_url())
    fan_tab.get_by_role("link", name="Report this track").click()
    expect(fan_tab.get_by_role("heading", name="Report this track")).to_be_visible()
    assert serious_violations(fan_tab) == []
    fan_tab.get_by_label("Copyright infringement").check()
    fan_tab.get_by_label("What should staff know? (optional)").fill("This is my song, <b>mine</b>.")
    fan_tab.get_by_role("button", name="Send the report").click()
    expect(fan_tab.get_by_role("heading", name="Thank you for your report")).to_be_visible()
    assert serious_violations(fan_tab) == []
    screenshot(fan_tab, "moderation-reported")

    staff_tab = browser.new_context(base_url=live_server.url).new_page()
    sign_in(staff_tab, live_server, staff)
    staff_tab.goto("/admin/moderation/report/?status__exact=open")
    staff_tab.get_by_role(
        "link", name="Report 1: Copyright infringement — track: Borrowed Tune"
    ).click()
    expect(staff_tab.get_by_text("This is my song, <b>mine</b>.")).to_be_visible()
    staff_tab.get_by_role("link", name="Take down").click()
    # Without a note nothing happens: the page says why.
    staff_tab.get_by_role("button", name="Take down").click()
    expect(staff_tab.get_by_role("alert")).to_contain_text("Write a note saying why")
    staff_tab.get_by_label("Note (why) — kept in the audit log").fill("Fan's claim checked")
    staff_tab.get_by_role("button", name="Take down").click()
    expect(staff_tab.get_by_text("Take down: done; 1 report(s) closed.")).to_be_visible()
    screenshot(staff_tab, "moderation-report-closed")

    assert Client().get(track.get_absolute_url()).status_code == 404
    fan_tab.goto(track.get_absolute_url())
    expect(fan_tab.get_by_role("heading", name="Borrowed Tune")).to_have_count(0)

    staff_tab.goto("/admin/moderation/auditentry/")
    row = staff_tab.get_by_role("row", name="Took down")
    expect(row).to_contain_text("Fan's claim checked")
    expect(row.get_by_role("link", name="Report 1")).to_be_visible()
    expect(row.get_by_role("link", name="public page")).to_have_attribute(
        "href", track.get_absolute_url()
    )
    screenshot(staff_tab, "moderation-audit-log")
    assert [m.to for m in mail.outbox] == [["fan@example.com"]]
