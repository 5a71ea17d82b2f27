"""The radio in the admin: timed comment moderation, read-only feedback, the exposure report."""

import time
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from analytics import services as analytics
from analytics.models import Grain, PlayRollup, Scope, Source
from moderation.models import AuditEntry
from radio import exposure, services
from radio.models import Feedback, TimedComment
from radio.selectors import visible_comments
from tests.analytics.plays import listen
from tests.factories import ArtistFactory, TrackFactory
from tracks.models import Visibility

pytestmark = pytest.mark.django_db

COMMENTS = reverse("admin:radio_timedcomment_changelist")
FEEDBACK = reverse("admin:radio_feedback_changelist")
REPORT = reverse("admin:radio_artistexposure_changelist")


@pytest.fixture
def track(artist):
    return TrackFactory(artist=artist, title="Rope", duration=200.0)


@pytest.fixture
def comments(track, fan):
    return [
        services.add_timed_comment(author=fan, track=track, at_seconds=12, body="Lovely intro"),
        services.add_timed_comment(author=fan, track=track, at_seconds=40, body="BUY CHEAP PILLS"),
    ]


def act(client, action, comments, **extra):
    return client.post(
        COMMENTS,
        {"action": action, "_selected_action": [c.pk for c in comments], **extra},
        follow=True,
    )


def test_staff_hide_comments_with_a_note_and_they_leave_the_track(staff_client, track, comments):
    response = act(staff_client, "hide", comments[1:], note="Spam")

    assert "1 comment hidden." in response.text
    spam = TimedComment.objects.get(pk=comments[1].pk)
    assert spam.hidden_at is not None and spam.hidden_note == "Spam"
    # Who hid it is in the audit log (moderation.actions), one entry per comment.
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor.email, entry.note) == (
        "take_down",
        "admin@example.com",
        "Spam",
    )
    assert list(visible_comments(track)) == [comments[0]]


def test_hiding_needs_a_note(staff_client, track, comments):
    response = act(staff_client, "hide", comments, note="   ")

    assert "Write a note saying why these comments are hidden." in response.text
    assert TimedComment.objects.filter(hidden_at__isnull=False).count() == 0


def test_unhiding_brings_a_comment_back(staff_client, track, comments):
    act(staff_client, "hide", comments, note="Checking")
    response = act(staff_client, "unhide", comments[:1], note="Fine after all")

    assert "1 comment shown again." in response.text
    assert list(visible_comments(track)) == [comments[0]]
    assert TimedComment.objects.get(pk=comments[0].pk).hidden_note == ""


def test_staff_neither_write_nor_rewrite_comments(staff_client, comments):
    change = reverse("admin:radio_timedcomment_change", args=[comments[0].pk])
    assert staff_client.get(reverse("admin:radio_timedcomment_add")).status_code == 403
    staff_client.post(change, {"body": "Rewritten", "hidden_note": "looked at"})
    comments[0].refresh_from_db()
    assert (comments[0].body, comments[0].hidden_note) == ("Lovely intro", "looked at")


def test_comments_filter_by_hidden_and_search(staff_client, comments):
    act(staff_client, "hide", comments[1:], note="Spam")

    hidden = staff_client.get(COMMENTS, {"hidden": "yes"})
    shown = staff_client.get(COMMENTS, {"hidden": "no"})
    found = staff_client.get(COMMENTS, {"q": "pills"})

    assert list(hidden.context["cl"].result_list) == [comments[1]]
    assert list(shown.context["cl"].result_list) == [comments[0]]
    assert list(found.context["cl"].result_list) == [comments[1]]


def test_comment_html_is_escaped_in_the_admin(staff_client, track, fan):
    services.add_timed_comment(author=fan, track=track, at_seconds=1, body="<img src=x onerror=1>")
    page = staff_client.get(COMMENTS).text
    assert "&lt;img src=x onerror=1&gt;" in page and "<img src=x" not in page


def test_feedback_is_read_only(staff_client, track):
    play = services.record_radio_play(track=track, listener_key="a:1", user=None)
    feedback = services.record_feedback(play=play, kind="dislike", reason="vocals")

    listing = staff_client.get(FEEDBACK, {"kind__exact": "dislike"})
    change = staff_client.get(reverse("admin:radio_feedback_change", args=[feedback.pk]))
    delete = staff_client.post(
        FEEDBACK, {"action": "delete_selected", "_selected_action": [feedback.pk], "post": "yes"}
    )

    assert list(listing.context["cl"].result_list) == [feedback]
    assert staff_client.get(reverse("admin:radio_feedback_add")).status_code == 403
    assert change.status_code == 200 and 'name="_save"' not in change.text
    assert delete.status_code in (200, 302) and Feedback.objects.count() == 1


@pytest.mark.parametrize("url", [COMMENTS, FEEDBACK, REPORT])
def test_people_who_are_not_staff_are_sent_to_the_admin_login(client, artist, fan, url):
    for person in (None, fan, artist.user):
        if person:
            client.force_login(person)
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


# --- The exposure report ----------------------------------------------------------------------


@pytest.fixture
def twelve_artists(db):
    """Twelve artists with one radio track of 100 s each; artist i has 10 × i counted plays
    outside the radio; listeners heard artist 0 for 300 s on the radio, artists 1 and 11 for
    100 s each. Radio plays handed out but not heard (artist 5's) add nothing."""
    today = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)
    artists = [ArtistFactory() for _ in range(12)]
    tracks = [TrackFactory(artist=a, duration=100.0, renditions=False) for a in artists]
    for n, artist in enumerate(artists):
        radio_heard = {0: 300.0, 1: 100.0, 11: 100.0}.get(n, 0.0)
        for source, plays, heard in ((Source.TRACK, 6 * n, 70.0), (Source.PLAYLIST, 4 * n, 70.0),
                                     (Source.RADIO, 50, radio_heard)):  # fmt: skip
            PlayRollup.objects.create(scope=Scope.ARTIST, scope_id=artist.pk, grain=Grain.DAY,
                                      bucket=today, source=source, plays=plays,
                                      heard_seconds=heard)  # fmt: skip
        # Too old to count: outside the 28 days.
        PlayRollup.objects.create(scope=Scope.ARTIST, scope_id=artist.pk, grain=Grain.DAY,
                                  bucket=today - timedelta(days=40), source=Source.TRACK,
                                  plays=1000)  # fmt: skip
    for n in (5, 5, 5):
        services.record_radio_play(track=tracks[n], listener_key=f"a:{n}", user=None)
    # Not counted: no track the radio may play, no plays, nothing heard.
    TrackFactory(visibility=Visibility.PRIVATE)
    exposure.refresh_exposure()
    return artists


def test_the_exposure_report_in_exact_numbers(twelve_artists):
    rows = exposure.exposure_report()

    # 12 artists: deciles 1 and 2 hold two each. Plays outside the radio: 660 in all;
    # heard on the radio: 500 s (artist 0: 300 s, artists 1 and 11: 100 s each).
    assert [(r.decile, r.artists, r.fewest, r.most, r.organic_plays, r.organic_share,
             r.heard_seconds, r.heard_share) for r in rows] == [
        (1, 2, 0, 10, 10, 1.5, 400.0, 80.0),
        (2, 2, 20, 30, 50, 7.6, 0.0, 0.0),
        (3, 1, 40, 40, 40, 6.1, 0.0, 0.0),
        (4, 1, 50, 50, 50, 7.6, 0.0, 0.0),
        (5, 1, 60, 60, 60, 9.1, 0.0, 0.0),
        (6, 1, 70, 70, 70, 10.6, 0.0, 0.0),
        (7, 1, 80, 80, 80, 12.1, 0.0, 0.0),
        (8, 1, 90, 90, 90, 13.6, 0.0, 0.0),
        (9, 1, 100, 100, 100, 15.2, 0.0, 0.0),
        (10, 1, 110, 110, 110, 16.7, 100.0, 20.0),
    ]  # fmt: skip


def test_fewer_artists_than_deciles_fill_the_first_ones(db):
    for _ in range(3):
        TrackFactory(renditions=False)
    assert [(r.decile, r.artists, r.organic_share) for r in exposure.exposure_report()] == [
        (1, 1, 0.0),
        (2, 1, 0.0),
        (3, 1, 0.0),
    ]


def test_the_exposure_report_page(staff_client, twelve_artists):
    response = staff_client.get(REPORT)

    assert response.status_code == 200
    assert "Exposure report" in response.text
    assert len(response.context["rows"]) == 10 and response.context["artists"] == 12
    assert 'aria-label="1.5 % of plays, 80.0 % of hours heard"' in response.text
    assert reverse("admin:radio_artistexposure_changelist") in staff_client.get("/admin/").text


def test_staff_can_recompute_the_report_at_once(staff_client, track, settings):
    settings.REDIS_URL = ""  # beacons buffered in the database, drained here
    services.record_radio_play(track=track, listener_key="a:1", user=None)
    listen(track, seconds=45, listener="a:1", source="radio", issued=int(time.time()) - 3600)
    analytics.drain_beacons()
    assert staff_client.get(REPORT).context["rows"][0].heard_seconds == 0.0

    response = staff_client.post(REPORT, {"recompute": "1"}, follow=True)

    # What listeners heard of the 200 s track, not its length.
    assert "Recomputed for 1 artist." in response.text
    assert response.context["rows"][0].heard_seconds == 45.0


def test_the_exposure_report_with_nothing_yet(staff_client):
    response = staff_client.get(REPORT)
    assert response.status_code == 200
    assert "No artist has music the radio may play yet." in response.text
    assert "never refreshed yet" in response.text


def test_staff_can_open_an_artists_radio_figures(staff_client, track, comments):
    response = staff_client.get(reverse("radio:stats", args=["artist", track.artist.slug]))
    assert response.status_code == 200
    assert [c.body for c in response.context["radio"].comments] == [
        "BUY CHEAP PILLS",
        "Lovely intro",
    ]
