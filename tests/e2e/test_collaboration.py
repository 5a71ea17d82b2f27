"""Issue 7's journey in Chromium: an artist credits another on a track with a 60/40 split, the
other confirms the credit and accepts the split, and the track appears on their page. Our pages
pass axe-core."""

import pytest
from playwright.sync_api import expect

from payments.models import Split
from tests.e2e.axe import serious_violations
from tests.e2e.conftest import screenshot, sign_in
from tests.factories import ArtistFactory, TrackFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def as_artist(page, live_server, artist) -> None:
    page.context.clear_cookies()
    sign_in(page, live_server, artist.user)


def credit_with_a_split(page, live_server, a, b, track) -> None:
    """A credits B on the track with a 60/40 split; B confirms both; the track is on B's page."""
    as_artist(page, live_server, a)
    page.goto(live_server.url + track.get_absolute_url())
    page.get_by_role("link", name="Credits", exact=True).click()
    expect(
        page.get_by_role("heading", name=f"Credits and splits for “{track.title}”")
    ).to_be_visible()
    page.get_by_label("Artist", exact=True).fill(b.slug)
    page.get_by_label("Role").select_option("featuring")
    page.get_by_role("button", name="Add credit").click()
    expect(page.locator("[data-credits]")).to_contain_text(f"{b.name} — Featuring")
    page.get_by_label("Propose a split").fill(f"{a.slug} 60\n{b.slug} 50")
    page.get_by_role("button", name="Propose split").click()
    expect(page.get_by_role("alert")).to_contain_text("The shares add up to 110.00 %")
    page.get_by_label("Propose a split").fill(f"{a.slug} 60\n{b.slug} 40")
    page.get_by_role("button", name="Propose split").click()
    expect(page.locator(".proposal-pending")).to_contain_text(f"{b.name}: 40 % — Not answered yet")
    assert serious_violations(page) == []
    screenshot(page, "collaboration-credits")
    assert not Split.objects.exists()  # nothing changes before B accepts

    as_artist(page, live_server, b)
    page.goto(live_server.url + "/")
    page.locator(".bell").click()  # the notification leads to Studio → Credits
    page.get_by_role("link", name=f"{a.name} credits you as Featuring on “{track.title}”").click()
    expect(page.get_by_role("heading", name="Credits", exact=True)).to_be_visible()
    assert serious_violations(page) == []
    screenshot(page, "collaboration-credits-inbox")
    page.get_by_role("button", name=f"Confirm your credit on {track.title}").click()
    expect(page.get_by_role("main")).to_contain_text(
        f"Credit confirmed: you appear on “{track.title}”"
    )
    page.get_by_role("button", name=f"Accept the split of {track.title}").click()
    expect(page.get_by_role("main")).to_contain_text("Split accepted. Everyone has")
    assert sorted(Split.objects.values_list("artist__slug", "basis_points")) == sorted(
        [(a.slug, 6000), (b.slug, 4000)]
    )

    page.goto(live_server.url + b.get_absolute_url())
    appears = page.locator("section.appears-on")
    expect(appears.get_by_role("heading", name="Appears on")).to_be_visible()
    expect(appears.get_by_role("link", name=track.title)).to_be_visible()
    assert serious_violations(page) == []
    screenshot(page, "collaboration-appears-on")
    appears.get_by_role("link", name=track.title).click()
    expect(page.locator(".credit-line")).to_contain_text(f"feat. {b.name}")
    assert serious_violations(page) == []


def test_an_artist_credits_another_with_a_60_40_split_and_the_track_is_on_their_page(
    page, live_server
):
    a = ArtistFactory(name="Ana Volta", slug="ana-volta")
    b = ArtistFactory(name="Bruno Keys", slug="bruno-keys")
    track = TrackFactory(artist=a, title="Downtempo Sketch")

    credit_with_a_split(page, live_server, a, b, track)
