"""New-music e-mails: one per follower who wants them, never twice, with a one-click
unsubscribe that works without a login or a CSRF token, and only with a valid signed link."""

import re

import pytest
from django.core import mail, signing
from django.test import Client
from django.utils import timezone

from artists import notifications
from artists.models import Announcement, Follow
from backstage.models import User
from tests.audio_files import audio_file, processed_track
from tests.factories import ArtistFactory, ReleaseFactory, TrackFactory, UserFactory
from tracks import services
from tracks.models import Track

pytestmark = pytest.mark.django_db


@pytest.fixture
def followers(artist):
    """Two followers who want e-mails, one who opted out; and someone following another artist."""
    keen = [UserFactory(username=f"keen{n}", display_name=f"Keen {n}") for n in range(2)]
    quiet = UserFactory(username="quiet", email_new_releases=False)
    for user in [*keen, quiet]:
        Follow.objects.create(user=user, artist=artist)
    Follow.objects.create(user=UserFactory(username="elsewhere"), artist=ArtistFactory())
    return keen


def recipients() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


def test_a_single_becoming_ready_mails_each_follower_once(
    artist, followers, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        track = processed_track(artist, audio_file("flac", seconds=2))
    assert track.status == Track.Status.READY
    assert recipients() == ["keen0@example.com", "keen1@example.com"]
    message = mail.outbox[0]
    assert message.subject == f"New from Mira Sol: {track.title}"
    assert track.get_absolute_url() in message.body
    html = message.alternatives[0].content
    assert track.get_absolute_url() in html and "Stop e-mails" in html
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert re.fullmatch(
        r"<https?://[^>]+/unsubscribe/[^/>]+/>", message.extra_headers["List-Unsubscribe"]
    )


def test_a_release_is_announced_once_however_many_tracks_finish(
    artist, followers, django_capture_on_commit_callbacks
):
    release = ReleaseFactory(artist=artist, title="Tide Tables")
    tracks = [TrackFactory(artist=artist, release=release, status="processing") for _ in range(3)]
    for track in tracks:
        with django_capture_on_commit_callbacks(execute=True):
            Track.objects.filter(pk=track.pk).update(status="ready")
            track.refresh_from_db()
            notifications.announce_new_music(track=track)
    assert recipients() == ["keen0@example.com", "keen1@example.com"]
    assert mail.outbox[0].subject == "New from Mira Sol: Tide Tables"
    assert release.get_absolute_url() in mail.outbox[0].body
    assert Announcement.objects.get().sent == 2


def test_a_repeated_task_delivery_sends_nothing_more(
    artist, followers, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        track = TrackFactory(artist=artist)
        announcement = notifications.announce_new_music(track=track)
    assert len(mail.outbox) == 2
    assert notifications.send_announcement(announcement_id=announcement.id) == 0
    assert len(mail.outbox) == 2


def test_an_interrupted_delivery_resumes_after_the_followers_already_mailed(
    artist, followers, monkeypatch
):
    monkeypatch.setattr(notifications, "CHUNK", 1)
    track = TrackFactory(artist=artist)
    announcement = notifications.announce_new_music(track=track)  # on_commit never runs here
    first_follow = Follow.objects.filter(artist=artist).order_by("id").first()
    Announcement.objects.filter(pk=announcement.pk).update(cursor=first_follow.id, sent=1)
    assert notifications.send_announcement(announcement_id=announcement.id) == 1
    assert recipients() == ["keen1@example.com"]


def test_nothing_is_announced_for_music_nobody_may_see(artist, followers):
    suspended = ArtistFactory(is_suspended=True)
    private_release = ReleaseFactory(artist=artist, visibility="private")
    unseen = [
        TrackFactory(artist=artist, visibility="private"),
        TrackFactory(artist=artist, visibility="unlisted"),
        TrackFactory(artist=artist, status="processing"),
        TrackFactory(artist=artist, taken_down_at=timezone.now()),
        TrackFactory(artist=suspended),
        TrackFactory(artist=artist, release=private_release),
    ]
    for track in unseen:
        assert notifications.announce_new_music(track=track) is None
    assert not Announcement.objects.exists()


def test_music_taken_down_before_the_task_runs_is_not_mailed(
    artist, followers, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        track = TrackFactory(artist=artist)
        notifications.announce_new_music(track=track)
    Track.objects.filter(pk=track.pk).update(taken_down_at=timezone.now())
    for callback in callbacks:
        callback()
    assert mail.outbox == []


def test_making_a_private_release_public_announces_it(
    artist, followers, django_capture_on_commit_callbacks
):
    release = ReleaseFactory(artist=artist, visibility="private")
    TrackFactory(artist=artist, release=release)
    with django_capture_on_commit_callbacks(execute=True):
        services.update_release(release=release, visibility="public")
    assert recipients() == ["keen0@example.com", "keen1@example.com"]
    with django_capture_on_commit_callbacks(execute=True):
        services.update_release(release=release, visibility="private")
        services.update_release(release=release, visibility="public")
    assert len(mail.outbox) == 2


def test_making_a_private_single_public_announces_it(
    artist, followers, django_capture_on_commit_callbacks
):
    track = TrackFactory(artist=artist, visibility="private")
    with django_capture_on_commit_callbacks(execute=True):
        services.update_track(track=track, title="Renamed")
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        services.update_track(track=track, visibility="public")
    assert len(mail.outbox) == 2


def test_restoring_a_taken_down_track_does_not_announce_it_again(
    artist, admin_user, followers, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        track = TrackFactory(artist=artist)
        notifications.announce_new_music(track=track)
        services.take_down_track(track=track, by=admin_user, reason="test")
        services.restore_track(track=track)
    assert len(mail.outbox) == 2


# --- Unsubscribing -------------------------------------------------------------------------------


def unsubscribe_url(user) -> str:
    return notifications.unsubscribe_path(user)


def test_the_link_asks_before_unsubscribing(client, fan):
    response = client.get(unsubscribe_url(fan))
    assert response.status_code == 200
    assert b"fan@example.com" in response.content and b"Unsubscribe</button>" in response.content
    fan.refresh_from_db()
    assert fan.email_new_releases is True


def test_one_click_post_unsubscribes_without_login_or_csrf_token(fan):
    client = Client(enforce_csrf_checks=True)
    response = client.post(unsubscribe_url(fan), {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert b"will no longer get e-mails" in response.content
    fan.refresh_from_db()
    assert fan.email_new_releases is False
    assert client.post(unsubscribe_url(fan)).status_code == 200  # repeating is harmless


def test_the_link_in_a_real_email_unsubscribes(
    artist, followers, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notifications.announce_new_music(track=TrackFactory(artist=artist))
    header = mail.outbox[0].extra_headers["List-Unsubscribe"].strip("<>")
    path = header[header.index("/unsubscribe/") :]
    Client(enforce_csrf_checks=True).post(
        path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    to = User.objects.get(email=mail.outbox[0].to[0])
    assert to.email_new_releases is False
    assert User.objects.exclude(pk=to.pk).filter(username="keen1").get().email_new_releases


@pytest.mark.parametrize(
    "token",
    [
        "garbage",
        "x" * 600,
        "<script>alert(1)<",
        "eyJ1IjoxfQ:1abc:tampered",
        signing.dumps({"u": 1}, salt="another-purpose"),
        signing.dumps({"u": "1"}, salt=notifications.UNSUBSCRIBE_SALT),
        signing.dumps([1], salt=notifications.UNSUBSCRIBE_SALT),
        signing.dumps({"u": 987654}, salt=notifications.UNSUBSCRIBE_SALT),
    ],
    ids=["garbage", "oversized", "html", "tampered", "other-salt", "string-id", "list", "no-user"],
)
def test_bad_tokens_are_refused_and_change_nothing(fan, token):
    client = Client(enforce_csrf_checks=True)
    for response in (client.get(f"/unsubscribe/{token}/"), client.post(f"/unsubscribe/{token}/")):
        assert response.status_code == 400
        assert b"not valid" in response.content
        assert b"<script>" not in response.content
    fan.refresh_from_db()
    assert fan.email_new_releases is True


def test_a_tampered_token_for_another_user_is_refused(fan, outsider):
    token = notifications.unsubscribe_token(fan)
    signature = token.rpartition(":")[2]
    forged = signing.dumps({"u": outsider.pk}, salt=notifications.UNSUBSCRIBE_SALT)
    tampered = forged.rpartition(":")[0] + ":" + signature
    assert Client().post(f"/unsubscribe/{tampered}/").status_code == 400
    outsider.refresh_from_db()
    assert outsider.email_new_releases is True


def test_an_expired_token_is_refused(fan, monkeypatch):
    url = unsubscribe_url(fan)
    monkeypatch.setattr(notifications, "UNSUBSCRIBE_MAX_AGE", -1)
    assert Client().post(url).status_code == 400
    fan.refresh_from_db()
    assert fan.email_new_releases is True


def test_a_token_with_a_slash_is_simply_not_found(fan):
    assert Client().post("/unsubscribe/<script>alert(1)</script>/").status_code == 404


def test_other_methods_are_refused(fan):
    assert Client().put(unsubscribe_url(fan)).status_code == 405
