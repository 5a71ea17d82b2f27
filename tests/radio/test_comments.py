"""Timed comments: posted on a track page or from the radio panel, shown as markers on the
waveform and as a list, deletable by their author and the artist, rate-limited."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from radio import comments, services
from radio.models import RadioSession, StationKind, TimedComment
from tests.factories import TrackFactory, UserFactory
from tracks.models import Visibility

pytestmark = pytest.mark.django_db


@pytest.fixture
def track(artist):
    return TrackFactory(artist=artist, title="Harbour", duration=200.0, renditions=False)


@pytest.fixture
def fan_client(client, fan):
    client.force_login(fan)
    return client


def comment_on(client, track, **fields):
    headers = {k: fields.pop(k) for k in list(fields) if k.startswith("HTTP_")}
    return client.post(f"/radio/track/{track.public_id}/comments", fields, **headers)


def test_a_comment_at_a_moment_shows_as_a_marker_and_in_the_list(fan_client, fan, track):
    fan.display_name = "June Wren"
    fan.save()

    answer = comment_on(fan_client, track, at="1:23", body="That bass line!")

    comment = TimedComment.objects.get()
    assert (comment.author, comment.at_seconds, comment.body) == (fan, 83, "That bass line!")
    assert answer.status_code == 302
    assert answer["Location"] == f"{track.get_absolute_url()}#comment-{comment.pk}"
    page = Client().get(track.get_absolute_url()).content.decode()
    assert 'style="left: 41.500%;' in page  # 83 s of 200 s
    assert 'aria-label="Comment by June Wren at 1:23">JW' in page
    assert "<strong>June Wren</strong> at 1:23: That bass line!" in page  # the marker's text
    assert f'<li id="comment-{comment.pk}">' in page
    assert 'Comments <span class="muted">(1)</span>' in page


@pytest.mark.parametrize(
    "at, seconds", [("0:00", 0), ("3:20", 200), ("1:02:03", None), ("95.5", 95.5), ("7", 7)]
)
def test_moments_are_read_as_minutes_and_seconds_or_seconds(fan_client, track, at, seconds):
    track.duration = 4000
    track.save()
    comment_on(fan_client, track, at=at, body="here")
    assert TimedComment.objects.get().at_seconds == (3723 if seconds is None else seconds)


def test_htmx_gets_the_comments_section_back(fan_client, track):
    answer = comment_on(fan_client, track, at="0:10", body="Nice", HTTP_HX_REQUEST="true")

    assert answer.status_code == 200
    html = answer.content.decode()
    assert 'id="timed-comments"' in html
    assert "Nice" in html
    assert "<html" not in html


def test_comment_text_is_escaped_everywhere(fan_client, track):
    comment_on(fan_client, track, at="0:05", body='<script>alert("x")</script><b>hi</b>')

    page = Client().get(track.get_absolute_url()).content.decode()
    assert "<script>alert" not in page
    assert "<b>hi</b>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;b&gt;hi&lt;/b&gt;" in page


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"at": "3:22", "body": "late"}, "That moment is after the end of the track."),
        ({"at": "99:00", "body": "late"}, "That moment is after the end of the track."),
        ({"at": "soon", "body": "x"}, "Give the moment as minutes:seconds, like 1:23."),
        ({"at": "1:99", "body": "x"}, "Give the moment as minutes:seconds, like 1:23."),
        ({"at": "inf", "body": "x"}, "Give the moment as minutes:seconds, like 1:23."),
        ({"at": "nan", "body": "x"}, "Give the moment as minutes:seconds, like 1:23."),
        ({"at": "-4", "body": "x"}, "That moment is not in the track."),
        ({"at": "0:10", "body": "   "}, "Write something first."),
        ({"at": "0:10", "body": "y" * 501}, "Comments are at most 500 characters."),
        ({"at": "0:10", "body": "hi\x00there"}, "Comments cannot contain NUL characters."),
        ({"at": "0:10" * 10_000, "body": "x"}, "Give the moment as minutes:seconds, like 1:23."),
    ],
)
def test_bad_comments_get_a_400_with_the_reason_and_nothing_is_saved(
    fan_client, track, fields, message
):
    page = comment_on(fan_client, track, **fields)
    json = comment_on(fan_client, track, **fields, HTTP_ACCEPT="application/json")
    section = comment_on(fan_client, track, **fields, HTTP_HX_REQUEST="true")

    assert (page.status_code, json.status_code, section.status_code) == (400, 400, 400)
    assert message in page.content.decode()
    assert json.json() == {"error": message}
    assert f'<p class="notice error" role="alert">{message}</p>' in section.content.decode()
    assert not TimedComment.objects.exists()


def test_an_oversized_request_is_refused_without_a_500(fan_client, track, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    answer = comment_on(fan_client, track, at="0:01", body="z" * 20_000)
    assert answer.status_code == 400
    assert not TimedComment.objects.exists()


def test_anonymous_visitors_are_sent_to_log_in(client, track):
    answer = comment_on(client, track, at="0:10", body="hello")
    assert answer.status_code == 302
    assert answer["Location"].startswith("/accounts/login/")
    assert not TimedComment.objects.exists()
    assert (
        "to comment on a moment of this track"
        in client.get(track.get_absolute_url()).content.decode()
    )


@pytest.mark.parametrize(
    "change",
    [{"visibility": Visibility.PRIVATE}, {"taken_down_at": timezone.now()}],
)
def test_tracks_the_author_may_not_see_are_404(fan_client, track, change):
    for field, value in change.items():
        setattr(track, field, value)
    track.save()
    assert comment_on(fan_client, track, at="0:10", body="hello").status_code == 404
    assert (
        comment_on(fan_client, track, at="0:10", body="hi", HTTP_HX_REQUEST="1").status_code == 404
    )
    assert not TimedComment.objects.exists()


def test_a_track_address_with_a_nul_character_is_404_not_500(fan_client, track):
    answer = fan_client.post("/radio/track/ab%00cd/comments", {"at": "1", "body": "x"})
    assert answer.status_code == 404
    assert not TimedComment.objects.exists()


def test_the_comment_form_needs_the_csrf_token(fan, track):
    client = Client(enforce_csrf_checks=True)
    client.force_login(fan)
    assert comment_on(client, track, at="0:10", body="hello").status_code == 403


def test_from_the_radio_panel_a_comment_is_tied_to_the_radio_play(fan_client, fan, track):
    session = RadioSession.objects.create(listener_key=f"u:{fan.pk}", kind=StationKind.DISCOVERY)
    play = services.record_radio_play(
        track=track, listener_key=f"u:{fan.pk}", user=fan, session=session
    )

    answer = comment_on(
        fan_client, track, at="0:42", body="Tuned in!", play=play.pk, HTTP_ACCEPT="application/json"
    )

    comment = TimedComment.objects.get()
    assert answer.status_code == 201
    assert answer.json() == {"id": comment.pk, "at_seconds": 42.0, "body": "Tuned in!"}
    assert comment.play == play
    assert "on the radio" in Client().get(track.get_absolute_url()).content.decode()


def test_a_radio_play_of_someone_else_or_of_another_track_is_404(fan_client, outsider, track):
    others = services.record_radio_play(track=track, listener_key=f"u:{outsider.pk}", user=None)
    other_track = TrackFactory(renditions=False)
    mine = services.record_radio_play(
        track=other_track, listener_key=f"u:{fan_client.session['_auth_user_id']}", user=None
    )

    for play in (others.pk, mine.pk, "12x", 10**12):
        assert comment_on(fan_client, track, at="0:01", body="x", play=play).status_code == 404
    assert not TimedComment.objects.exists()


def test_five_comments_a_minute_then_a_429_with_a_clear_message(fan_client, fan, track):
    for second in range(5):
        assert comment_on(fan_client, track, at=str(second), body="more").status_code == 302

    answer = comment_on(fan_client, track, at="9", body="one more", HTTP_ACCEPT="application/json")

    assert answer.status_code == 429
    assert answer.json() == {
        "error": "You are commenting very fast: wait a minute, then try again."
    }
    assert TimedComment.objects.count() == 5
    # Another author is not slowed down by this one.
    other = Client()
    other.force_login(UserFactory())
    assert comment_on(other, track, at="9", body="me too").status_code == 302


def test_fifty_comments_a_day_at_most(fan_client, fan, track):
    from django.core.cache import cache

    cache.set(f"limit:radio.comment:86400:{fan.pk}", 50)
    answer = comment_on(fan_client, track, at="9", body="again", HTTP_HX_REQUEST="true")

    assert answer.status_code == 429
    assert "That is 50 comments today, the most we take in a day." in answer.content.decode()
    assert not TimedComment.objects.exists()


def test_invalid_comments_do_not_use_up_the_limit(fan_client, track):
    for _ in range(8):
        comment_on(fan_client, track, at="9:99", body="x")
    assert comment_on(fan_client, track, at="0:09", body="fine").status_code == 302


def test_author_and_artist_delete_comments_others_get_404(client, fan, outsider, artist, track):
    first = comments.post_timed_comment(author=fan, track=track, at_seconds=1, body="a")
    second = comments.post_timed_comment(author=fan, track=track, at_seconds=2, body="b")

    client.force_login(outsider)
    assert client.post(f"/radio/comments/{first.pk}/delete").status_code == 404
    assert client.post("/radio/comments/999999/delete").status_code == 404
    assert TimedComment.objects.count() == 2
    page = client.get(track.get_absolute_url()).content.decode()
    assert "/delete" not in page

    client.force_login(fan)
    assert client.post(f"/radio/comments/{first.pk}/delete").status_code == 302
    client.force_login(artist.user)
    answer = client.post(f"/radio/comments/{second.pk}/delete", HTTP_HX_REQUEST="true")
    assert answer.status_code == 200
    assert "No comments yet." in answer.content.decode()
    assert not TimedComment.objects.exists()


def test_hidden_comments_are_not_shown_nor_deletable(fan_client, fan, track):
    comment = comments.post_timed_comment(author=fan, track=track, at_seconds=1, body="spam!")
    TimedComment.objects.filter(pk=comment.pk).update(hidden_at=timezone.now())

    assert "spam!" not in fan_client.get(track.get_absolute_url()).content.decode()
    assert fan_client.post(f"/radio/comments/{comment.pk}/delete").status_code == 404


def test_the_track_page_costs_the_same_queries_for_one_comment_or_twenty(client, fan, track):
    client.force_login(fan)
    comments.post_timed_comment(author=fan, track=track, at_seconds=1, body="first")
    with CaptureQueriesContext(connection) as one:
        client.get(track.get_absolute_url())

    for n in range(19):
        TimedComment.objects.create(
            track=track, author=UserFactory(), at_seconds=n * 10, body=f"comment {n}"
        )
    with CaptureQueriesContext(connection) as twenty:
        page = client.get(track.get_absolute_url()).content.decode()

    assert page.count('class="comment-marker"') == 20
    assert len(twenty) == len(one)
    comment_queries = [q for q in twenty.captured_queries if "radio_timedcomment" in q["sql"]]
    assert len(comment_queries) == 1


def test_anonymous_cached_track_pages_show_a_new_comment_at_once(fan, track, settings):
    settings.PAGE_CACHE = True
    visitor = Client()
    assert "No comments yet." in visitor.get(track.get_absolute_url()).content.decode()
    assert visitor.get(track.get_absolute_url())["X-Page-Cache"] == "hit"

    comment = comments.post_timed_comment(author=fan, track=track, at_seconds=5, body="fresh")
    assert "fresh" in visitor.get(track.get_absolute_url()).content.decode()

    comments.remove_timed_comment(user=fan, comment=comment)
    assert "fresh" not in visitor.get(track.get_absolute_url()).content.decode()
