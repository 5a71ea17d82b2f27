"""A listener tunes in to Discovery, likes a track, dislikes the next one with a reason, and
leaves a timed comment on a track's waveform that everyone then sees on the track page."""

import json
import re

import pytest
from playwright.sync_api import expect

from radio.models import Feedback, TimedComment
from tests.e2e.axe import serious_violations
from tests.e2e.conftest import screenshot, sign_in
from tests.e2e.seed import upload_track
from tests.factories import ArtistFactory, UserFactory
from tracks import services as track_services

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def playing_title(page) -> str:
    """The title of the track playing, once its own audio plays (the title changes first)."""
    page.wait_for_function(
        "() => { const a = document.getElementById('player-audio');"
        " const link = document.querySelector('.player-title').getAttribute('href');"
        " return link !== '#' && !a.paused && a.currentTime > 0.3; }"
    )
    return page.locator(".player-title").inner_text()


@pytest.fixture
def stations_catalogue():
    """Three artists, one short real track each (the pipeline's own audio)."""
    tracks = []
    for name, genre, title in [
        ("Harbour Lights", "folk", "Rope"),
        ("Neon Tide", "synthwave", "Night Drive"),
        ("Low Orbit", "ambient", "Drift"),
    ]:
        artist = ArtistFactory(name=name, slug=name.lower().replace(" ", "-"))
        track = upload_track(artist=artist, seconds=12, title=title)
        tracks.append(track_services.update_track(track=track, genre=genre))
    return tracks


def test_tune_in_give_feedback_and_leave_a_timed_comment(page, live_server, stations_catalogue):
    fan = UserFactory(username="june", email="june@example.com", display_name="June Wren")
    sign_in(page, live_server, fan)
    page.goto("/radio/")
    expect(page.get_by_role("heading", name="Radio", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Tune in to Backstage Radio")).to_have_attribute(
        "href", "/radio/live/"
    )
    expect(page.get_by_role("button", name=re.compile("^folk"))).to_be_visible()
    assert serious_violations(page) == []
    screenshot(page, "radio-home")

    page.get_by_role("button", name="Start Discovery").click()
    panel = page.get_by_role("region", name="Radio feedback")
    expect(panel).to_be_visible()
    expect(panel).to_contain_text("Discovery")
    first = playing_title(page)

    # Like: the button stays pressed and the panel says what it changes.
    panel.get_by_role("button", name="Like", exact=True).click()
    expect(panel.get_by_role("button", name="Like", exact=True)).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(panel.get_by_role("status")).to_contain_text(
        f"Liked “{first}”: your stations will play more from"
    )
    screenshot(page, "radio-playing-liked")

    # Skip on (the skip is recorded where it happened), then dislike the next one, saying why:
    # the station moves on to another track.
    panel.get_by_role("button", name="Skip").click()
    expect(page.locator(".player-title")).not_to_have_text(first)
    second = playing_title(page)
    panel.get_by_role("button", name="Dislike", exact=True).click()
    reasons = panel.get_by_role("group", name="What did not work for you? (optional)")
    expect(reasons).to_be_visible()
    screenshot(page, "radio-dislike-reasons")
    reasons.get_by_role("button", name="Production").click()
    expect(panel.get_by_role("status")).to_contain_text(f"Disliked “{second}”")
    expect(page.locator(".player-title")).not_to_have_text(second)
    third = playing_title(page)
    assert len({first, second, third}) == 3

    # The keyboard: L likes the radio track playing.
    page.locator("h1").click()
    page.keyboard.press("l")
    expect(panel.get_by_role("status")).to_contain_text(f"Liked “{third}”")

    kinds = sorted(Feedback.objects.values_list("kind", "reason", "track__title"))
    assert kinds == sorted(
        [
            ("like", "", first),
            ("skip", "", first),
            ("dislike", "production", second),
            ("like", "", third),
        ]
    )

    # On the playing track's page (the player keeps going), comment at the current moment.
    page.locator(".player-title").click()
    expect(page.get_by_role("heading", name=third, exact=True)).to_be_visible()
    comments = page.locator("#timed-comments")
    at = comments.get_by_label("At", exact=True)
    page.wait_for_function(
        "() => document.getElementById('comment-at').value !== '0:00'"
    )  # follows the music
    at.fill("0:06")
    comments.get_by_label("Comment", exact=True).fill("The <b>synth</b> here!")
    comments.get_by_role("button", name="Comment", exact=True).click()
    marker = page.get_by_role("button", name="Comment by June Wren at 0:06")
    expect(marker).to_be_visible()
    expect(page.locator(".comment-list")).to_contain_text("The <b>synth</b> here!")
    assert page.evaluate(
        "!!document.querySelector('.player') && !document.getElementById('player-audio').paused"
    )

    comment = TimedComment.objects.get()
    assert (comment.at_seconds, comment.body, comment.track.title) == (
        6,
        "The <b>synth</b> here!",
        third,
    )

    # Hover (or focus) shows the text on the waveform.
    marker.hover()
    expect(page.get_by_role("tooltip")).to_contain_text("The <b>synth</b> here!")
    screenshot(page, "track-with-timed-comment")
    assert serious_violations(page) == []

    # Three tracks heard, nothing left: the player says so plainly.
    panel.get_by_role("button", name="Skip").click()
    expect(page.locator(".player-error")).to_have_text(
        "This station has played everything it has for now. Try another station, or come back "
        "later for new music."
    )

    # Everyone sees it on the track page: the marker at its moment, and the list.
    visitor = page.context.browser.new_context(base_url=live_server.url)
    tab = visitor.new_page()
    tab.goto(comment.track.get_absolute_url())
    left = tab.locator(".comment-marker").evaluate("m => m.style.left")
    assert left == "50%" or abs(float(left.rstrip("%")) - 6 / comment.track.duration * 100) < 0.01
    expect(tab.locator(".comment-list li")).to_have_count(1)
    expect(tab.locator("#timed-comments").get_by_role("link", name="Log in")).to_be_visible()
    visitor.close()


def test_radio_pages_on_a_phone(phone, live_server, stations_catalogue):
    fan = UserFactory(username="kai", email="kai@example.com", display_name="Kai")
    track = stations_catalogue[0]
    TimedComment.objects.create(track=track, author=fan, at_seconds=3, body="Lovely opening")
    TimedComment.objects.create(track=track, author=fan, at_seconds=9, body="And the end")
    sign_in(phone, live_server, fan)

    phone.goto("/radio/")
    phone.get_by_role("button", name="Start Discovery").click()
    expect(phone.get_by_role("region", name="Radio feedback")).to_be_visible()
    title = playing_title(phone)

    # A comment from the radio panel, at this moment, tied to the radio play.
    panel = phone.get_by_role("region", name="Radio feedback")
    panel.get_by_role("button", name="Comment", exact=True).click()
    panel.get_by_label("At", exact=True).fill("0:02")
    panel.get_by_label("Comment", exact=True).fill("Heard this on the bus")
    screenshot(phone, "phone-radio-home-playing")
    panel.get_by_role("button", name="Post").click()
    expect(panel.get_by_role("status")).to_have_text(
        "Comment posted at 0:02: it shows on the track's page."
    )
    posted = TimedComment.objects.get(body="Heard this on the bus")
    assert (posted.at_seconds, posted.track.title, posted.play.user) == (2, title, fan)
    problems = serious_violations(phone)

    phone.goto(track.get_absolute_url())
    expect(phone.locator(".comment-marker")).to_have_count(3 if posted.track == track else 2)
    screenshot(phone, "phone-track-with-comments")
    problems += serious_violations(phone)
    assert problems == [], json.dumps(problems, indent=1)


def test_an_anonymous_visitor_starts_artist_radio_from_a_cached_artist_page(
    page, live_server, stations_catalogue
):
    artist = stations_catalogue[1].artist
    page.goto(artist.get_absolute_url())
    assert page.locator("input[name=csrfmiddlewaretoken]").count() == 0

    page.get_by_role("button", name=f"Artist radio for {artist.name}").click()

    panel = page.get_by_role("region", name="Radio feedback")
    expect(panel).to_contain_text(f"{artist.name} radio")
    assert playing_title(page) == stations_catalogue[1].title
    expect(panel.get_by_role("button", name="Comment", exact=True)).to_be_hidden()
    panel.get_by_role("button", name="Like", exact=True).click()
    expect(panel.get_by_role("status")).to_contain_text(f"Liked “{stations_catalogue[1].title}”")


def test_the_artist_sees_radio_comments_and_feedback_in_their_stats(page, live_server):
    """From the radio to the artist: a fan comments from the radio panel while the radio plays
    the track, and likes it; another listener dislikes it, saying why; the artist then reads
    all three in the radio section of /studio/stats/."""
    artist = ArtistFactory(name="Harbour Lights", slug="harbour-lights")
    upload_track(artist=artist, seconds=12, title="Rope")  # the only track: Discovery plays it
    fan = UserFactory(username="june", email="june@example.com", display_name="June Wren")
    sign_in(page, live_server, fan)
    page.goto("/radio/")
    page.get_by_role("button", name="Start Discovery").click()
    panel = page.get_by_role("region", name="Radio feedback")
    assert playing_title(page) == "Rope"

    panel.get_by_role("button", name="Comment", exact=True).click()
    panel.get_by_label("At", exact=True).fill("0:04")
    panel.get_by_label("Comment", exact=True).fill("The <b>bridge</b> here!")
    panel.get_by_role("button", name="Post").click()
    expect(panel.get_by_role("status")).to_have_text(
        "Comment posted at 0:04: it shows on the track's page."
    )
    assert not page.evaluate("document.getElementById('player-audio').paused")  # still playing
    panel.get_by_role("button", name="Like", exact=True).click()
    expect(panel.get_by_role("status")).to_contain_text("Liked “Rope”")

    # Another listener, not signed in, on their own Discovery station.
    other = page.context.browser.new_context(base_url=live_server.url)
    tab = other.new_page()
    tab.goto("/radio/")
    tab.get_by_role("button", name="Start Discovery").click()
    their_panel = tab.get_by_role("region", name="Radio feedback")
    assert playing_title(tab) == "Rope"
    their_panel.get_by_role("button", name="Dislike", exact=True).click()
    their_panel.get_by_role("group", name="What did not work for you? (optional)").get_by_role(
        "button", name="Vocals"
    ).click()
    expect(their_panel.get_by_role("status")).to_contain_text("Disliked “Rope”")
    other.close()

    # The artist signs in and reads it all in the radio part of their stats.
    studio = page.context.browser.new_context(base_url=live_server.url)
    desk = studio.new_page()
    sign_in(desk, live_server, artist.user)
    desk.goto("/studio/stats/")
    radio = desk.locator("section.radio-stats")
    expect(radio.get_by_role("heading", name="On the radio", exact=True)).to_be_visible()
    overview = radio.get_by_role("list", name="Radio overview")

    def total(label):
        name = desk.locator(".total-label").get_by_text(label, exact=True)
        return overview.locator(".total").filter(has=name).locator(".total-value")

    expect(total("Radio plays")).to_have_text("2")
    expect(total("Likes")).to_have_text("50 %")
    expect(total("Dislikes")).to_have_text("50 %")
    expect(radio.locator(".bars li")).to_have_text(["Vocals 1 · 100 %"])
    comment = radio.get_by_role("list", name="Timed comments").get_by_role("listitem")
    expect(comment).to_have_count(1)
    expect(comment).to_contain_text("June Wren")  # comments are public, with their author
    expect(comment.locator("p")).to_have_text("The <b>bridge</b> here!")
    expect(comment.get_by_role("link", name="Rope at 0:04")).to_be_visible()
    assert serious_violations(desk) == []
    screenshot(desk, "radio-stats-from-the-radio")
    studio.close()
