"""Anyone reports what they can see; nothing else, not twice, not in bulk, and not forged."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from moderation import actions
from moderation.models import Report
from moderation.selectors import report_url
from tests.factories import TrackFactory
from tracks.models import Visibility

from .conftest import PUBLIC_KINDS, report

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("kind", PUBLIC_KINDS)
def test_a_visitor_reports_with_an_email_address_and_is_thanked(client, things, kind):
    thing = things[kind]
    page = client.get(report_url(thing))
    assert page.status_code == 200
    assert "Your e-mail address" in page.content.decode()

    response = report(client, thing, details="It is stolen", email="Visitor@Example.com")

    assert response.status_code == 302
    thanks = client.get(response["Location"]).content.decode()
    assert "Thank you for your report" in thanks and "We will e-mail you once" in thanks
    filed = Report.objects.get()
    assert (filed.reporter, filed.reporter_email, filed.details) == (
        None,
        "Visitor@Example.com",
        "It is stolen",
    )
    assert (filed.target_id, filed.category, filed.status) == (thing.pk, "offensive", "open")


@pytest.mark.parametrize("kind", PUBLIC_KINDS)
def test_a_signed_in_person_reports_and_is_answered_at_their_account_address(
    client, fan, things, kind
):
    client.force_login(fan)
    page = client.get(report_url(things[kind])).content.decode()
    assert "Your e-mail address" not in page and "fan@example.com" in page

    assert report(client, things[kind], email="ignored@example.com").status_code == 302

    filed = Report.objects.get()
    assert (filed.reporter, filed.reporter_email) == (fan, "fan@example.com")


@pytest.mark.parametrize("kind", ["track", "release", "artist", "playlist"])
def test_each_public_page_links_to_its_report_page(client, things, kind):
    page = client.get(things[kind].get_absolute_url())
    assert report_url(things[kind]) in page.content.decode()


def test_each_timed_comment_has_its_report_link(client, track, comment):
    page = client.get(track.get_absolute_url()).content.decode()
    assert f'href="/report/comment/{comment.pk}/"' in page


def test_the_recipient_reports_a_message_and_nobody_else_can(
    client, fan, message, sender, outsider
):
    url = report_url(message)
    assert client.get(url).status_code == 404  # signed out
    for person in (sender.user, outsider):  # its sender, someone outside the conversation
        client.force_login(person)
        assert client.get(url).status_code == 404
        assert report(client, message).status_code == 404
    client.force_login(fan)
    assert report(client, message).status_code == 302
    assert Report.objects.get().reporter == fan


def test_private_hidden_and_unknown_things_are_404_to_report(
    client, fan, artist, track, playlist, comment, admin_user
):
    private = TrackFactory(artist=artist, visibility=Visibility.PRIVATE)
    gone = TrackFactory(artist=artist)
    actions.take_down(target=gone, actor=admin_user, note="Claim")
    actions.take_down(target=comment, actor=admin_user, note="Abuse")
    mine_only = TrackFactory(artist=artist, status="processing")
    urls = [
        report_url(private),
        report_url(gone),
        report_url(mine_only),
        f"/report/comment/{comment.pk}/",
        "/report/track/no-such-track/",
        "/report/user/1/",
        "/report/comment/1e5/",
        "/report/message/" + "9" * 40 + "/",
    ]
    for person in (None, fan):
        if person:
            client.force_login(person)
        for url in urls:
            assert client.get(url).status_code == 404, url
            assert client.post(url, {"category": "spam", "email": "a@b.co"}).status_code == 404
    playlists_url = report_url(playlist)
    with transaction.atomic():
        playlist.visibility = "private"
        playlist.save(update_fields=["visibility"])
    assert client.get(playlists_url).status_code == 404
    assert not Report.objects.exists()


def test_a_suspended_artist_is_404_to_report(client, artist, admin_user):
    url = report_url(artist)
    actions.suspend_user(user=artist.user, actor=admin_user, note="Spam")
    assert client.get(url).status_code == 404


def test_a_second_open_report_on_the_same_thing_is_refused_with_a_message(client, fan, track):
    client.force_login(fan)
    assert report(client, track).status_code == 302

    again = report(client, track, details="again")

    assert again.status_code == 409
    assert "You have already reported this" in again.content.decode()
    assert Report.objects.count() == 1
    # The database holds the line too, for two requests racing each other.
    first = Report.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Report.objects.create(
            target_type=first.target_type, target_id=track.pk, category="spam", reporter=fan
        )


def test_a_visitor_cannot_report_the_same_thing_twice_with_one_address(client, track):
    assert report(client, track, email="a@example.com").status_code == 302
    assert report(client, track, email="A@EXAMPLE.COM").status_code == 409
    assert report(client, track, email="b@example.com").status_code == 302
    assert Report.objects.count() == 2


def test_once_closed_the_same_person_may_report_again(client, fan, track, admin_user):
    client.force_login(fan)
    report(client, track)
    actions.dismiss(report=Report.objects.get(), actor=admin_user, note="Fine")
    assert report(client, track).status_code == 302
    assert Report.objects.filter(status="open").count() == 1


def test_reports_are_rate_limited_per_person(client, fan, artist):
    client.force_login(fan)
    tracks = TrackFactory.create_batch(11, artist=artist)
    for track in tracks[:10]:
        assert report(client, track).status_code == 302

    over = report(client, tracks[10])

    assert over.status_code == 429
    assert int(over["Retry-After"]) > 0
    assert "10 reports in an hour" in over.content.decode()
    assert Report.objects.count() == 10


def test_reports_are_rate_limited_per_address_for_visitors(client, artist):
    tracks = TrackFactory.create_batch(11, artist=artist)
    for n, track in enumerate(tracks[:10]):
        assert report(client, track, email=f"v{n}@example.com").status_code == 302
    assert report(client, tracks[10], email="new@example.com").status_code == 429
    # A duplicate is refused as a duplicate and does not use up a place.
    assert Report.objects.count() == 10


@pytest.mark.parametrize(
    "data, error",
    [
        ({}, "Choose what is wrong."),
        ({"category": "because"}, "Choose one of the listed reasons."),
        ({"category": "spam", "details": "x" * 2001}, "Please keep it under 2,000 characters"),
        ({"category": "spam", "email": ""}, "Give your e-mail address"),
        ({"category": "spam", "email": "not an address"}, "does not look like an e-mail"),
        ({"category": "spam", "email": "a" * 300 + "@example.com"}, "address is too long"),
    ],
)
def test_bad_input_gets_a_clear_message_and_writes_nothing(client, track, data, error):
    data.setdefault("email", "v@example.com")
    response = client.post(report_url(track), data)
    assert response.status_code == 400
    assert error in response.content.decode()
    assert not Report.objects.exists()


def test_hostile_text_is_kept_as_typed_and_escaped_where_staff_read_it(client, track, staff_client):
    visitor = Client()
    hostile = '<script>alert("x")</script>'
    report(visitor, track, details=hostile, email="v@example.com")
    filed = Report.objects.get()
    assert filed.details == hostile
    page = staff_client.get(reverse("admin:moderation_report_change", args=[filed.pk]))
    assert hostile not in page.content.decode()
    assert "&lt;script&gt;" in page.content.decode()


def test_reporting_needs_a_csrf_token(track):
    browser = Client(enforce_csrf_checks=True)
    forged = browser.post(report_url(track), {"category": "spam", "email": "v@example.com"})
    assert forged.status_code == 403
    assert not Report.objects.exists()

    page = browser.get(report_url(track))
    token = page.context["csrf_token"]
    real = browser.post(
        report_url(track),
        {"category": "spam", "email": "v@example.com", "csrfmiddlewaretoken": str(token)},
    )
    assert real.status_code == 302
    assert Report.objects.count() == 1


def test_the_thank_you_page_only_links_back_into_the_site(client):
    for back in ("//evil.example/x", "https://evil.example/", "javascript:alert(1)"):
        page = client.get(reverse("moderation:thanks"), {"back": back}).content.decode()
        assert "evil.example" not in page and "javascript:" not in page
    page = client.get(reverse("moderation:thanks"), {"back": "/track/abc/"}).content.decode()
    assert 'href="/track/abc/"' in page


def test_a_report_names_what_the_reporter_saw(client, track):
    report(client, track, email="v@example.com")
    filed = Report.objects.get()
    assert filed.target_label == "track: Rope"
    assert filed.target_type == ContentType.objects.get_for_model(track)
