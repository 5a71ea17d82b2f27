"""The artist's radio figures, the radio on/off list and "How the radio picks" in Chromium:
readable on desktop and phone, no serious axe-core issue."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from radio import services
from tests.e2e.axe import serious_violations
from tests.e2e.conftest import screenshot
from tests.e2e.test_playlists import sign_in
from tests.factories import ArtistFactory, ReleaseFactory, TrackFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def seed_radio(artist):
    """Radio plays, feedback with reasons, skips all along the track and timed comments."""
    release = ReleaseFactory(artist=artist, title="Low Tide")
    rope, gull = (
        TrackFactory(artist=artist, release=release, title=title, duration=200.0)
        for title in ("Rope", "A very long track title for small screens")
    )
    reasons = ["production", "genre", "", "vocals", "too-long"]
    for n in range(40):
        play = services.record_radio_play(
            track=[rope, gull][n % 2], listener_key=f"a:{n % 13}", user=None
        )
        if n % 3 == 0:
            services.record_feedback(play=play, kind="like")
        elif n % 3 == 1:
            services.record_feedback(play=play, kind="dislike", reason=reasons[n % 5])
        if n % 3:
            services.record_feedback(play=play, kind="skip", at_seconds=(n * 37) % 200)
    fan = UserFactory(display_name="Ana <b>Bold</b>")
    services.add_timed_comment(author=fan, track=rope, at_seconds=83, body="<i>That</i> bridge!")
    services.add_timed_comment(author=fan, track=gull, at_seconds=12, body="Lovely intro " * 20)
    return rope


def test_the_radio_figures_read_well_on_desktop_and_phone(page, phone, live_server):
    artist = ArtistFactory(name="Harbour Lights", slug="harbour-lights")
    rope = seed_radio(artist)
    for view in (page, phone):
        sign_in(view, live_server, artist.user)
        view.goto("/studio/stats/")
        expect(view.get_by_role("heading", name="On the radio", exact=True)).to_be_visible()
        expect(view.get_by_text("<i>That</i> bridge!")).to_be_visible()  # escaped, as typed
        assert serious_violations(view) == []
    page.locator("#radio-heading").scroll_into_view_if_needed()
    screenshot(page, "radio-stats")
    screenshot(phone, "radio-stats-phone")
    phone.goto(f"/studio/stats/track/{rope.public_id}/")
    phone.get_by_text("Show the numbers").last.click()
    expect(phone.get_by_role("row", name=re.compile("^0:10–0:20 1 "))).to_be_visible()
    assert serious_violations(phone) == []
    screenshot(phone, "radio-stats-track-phone")

    page.goto("/studio/radio/")
    page.get_by_label("Rope").check()
    page.get_by_role("button", name="Take them off the radio").click()
    expect(page.get_by_text("1 track put off the radio.")).to_be_visible()
    expect(page.get_by_role("row", name="Rope").get_by_text("Off the radio")).to_be_visible()
    assert serious_violations(page) == []
    screenshot(page, "radio-studio")


def test_how_the_radio_picks_reads_well(page, phone):
    for view in (page, phone):
        view.goto("/radio/how-it-picks/")
        expect(view.get_by_role("heading", name="How the radio picks")).to_be_visible()
        assert serious_violations(view) == []
    screenshot(phone, "radio-how-it-picks-phone")


def test_staff_read_the_exposure_report(page, live_server):
    from analytics.models import Grain, PlayRollup, Scope, Source
    from radio import exposure
    from tests.factories import UserFactory as Users

    quiet, busy = ArtistFactory(name="Quiet"), ArtistFactory(name="Busy")
    today = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)
    for artist, plays in ((quiet, 1), (busy, 4)):
        track = TrackFactory(artist=artist, duration=180.0, renditions=False)
        for n in range(plays):
            services.record_radio_play(track=track, listener_key=f"a:{n}", user=None)
        PlayRollup.objects.create(  # … each heard to the end, as the player reported
            scope=Scope.ARTIST, scope_id=artist.pk, grain=Grain.DAY, bucket=today,
            source=Source.RADIO, plays=plays, heard_seconds=180.0 * plays,
        )  # fmt: skip
    exposure.refresh_exposure()
    sign_in(page, live_server, Users(is_staff=True, is_superuser=True))
    page.goto("/admin/")
    page.get_by_role("link", name="Artist exposures").click()
    expect(page.get_by_role("heading", name="Exposure report")).to_be_visible()
    expect(page.get_by_role("img", name="0.0 % of plays, 20.0 % of hours heard")).to_be_visible()
    screenshot(page, "radio-exposure-report")
