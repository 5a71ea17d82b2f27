"""A suspended person, still signed in from before, writes nothing anywhere; their public
content is hidden, nothing is deleted, and lifting the suspension shows everything again."""

import json
import re
import uuid

import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from artists.models import Artist
from backstage.suspension import MESSAGE, Suspended
from messaging.models import Message
from moderation import actions
from playlists.models import Playlist, SavedTrack
from radio.models import TimedComment
from tests.factories import ArtistFactory, TrackFactory, UserFactory
from tracks.models import Upload

pytestmark = pytest.mark.django_db

SAMPLE = {"int": "1", "uuid": str(uuid.uuid4()), "str": "x", "slug": "x", "path": "x/y.jpg"}
SUSPENDED_TEXT = "suspended"
# Health checks answer any method and write nothing.
ANSWERS_ANYONE = {"/healthz", "/ping"}


@pytest.fixture
def staff():
    return UserFactory(username="moderator", is_staff=True, is_superuser=True)


def suspend(user, staff):
    actions.suspend_user(user=user, actor=staff, note="Spam everywhere")


def lift(user, staff):
    actions.unsuspend_user(user=user, actor=staff, note="Appeal upheld")


def _routes(resolver=None, prefix=""):
    """Every URL of the project as a concrete path (sample values for its converters)."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = str(entry.pattern)
        if route.startswith("^") or route.startswith("admin/"):
            continue  # regex routes (Django's own) and the admin: not people's write paths
        route = re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLE[m.group(1) or "str"], route)
        if isinstance(entry, URLResolver):
            yield from _routes(entry, prefix + route)
        elif isinstance(entry, URLPattern):
            yield "/" + prefix + route


def _row_counts() -> dict[str, int]:
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label
        in {
            "backstage",
            "artists",
            "tracks",
            "playlists",
            "radio",
            "messaging",
            "collab",
            "credits",
            "payments",
            "notifications",
            "analytics",
        }
        and model._meta.managed
    }


def test_every_url_refuses_writes_from_a_suspended_users_open_session(client, staff):
    artist = ArtistFactory()
    suspend(artist.user, staff)
    before = _row_counts()
    paths = sorted(set(_routes()))
    assert len(paths) > 80  # the walk found the project's URLs

    answered = []
    for path in paths:
        if path in ANSWERS_ANYONE:
            continue
        for method in (client.post, client.delete):
            client.force_login(artist.user)  # a session opened before the suspension
            response = method(path, HTTP_ACCEPT="text/html")
            answered.append((path, response.status_code))
            # 403 saying why; a 4xx (or an old address's redirect) where a view answers before
            # it looks at who is asking (the beacon never does: it is token-signed). Never a
            # success, never a row written (below).
            if response.status_code == 403:
                assert "suspended" in response.content.decode()
    assert [(path, status) for path, status in answered if 200 <= status < 300] == []
    assert _row_counts() == before


def test_a_suspended_error_from_a_service_is_a_403_that_says_why(rf):
    from backstage.suspension import SuspendedRefusalMiddleware

    middleware = SuspendedRefusalMiddleware(lambda request: None)
    script = rf.post("/upload/start", HTTP_ACCEPT="application/json")
    page = rf.post("/playlists/new")
    page.user = script.user = UserFactory()

    answer = middleware.process_exception(script, Suspended())
    assert (answer.status_code, json.loads(answer.content)) == (403, {"error": MESSAGE})
    answer = middleware.process_exception(page, Suspended())
    assert answer.status_code == 403 and "can’t upload, comment" in answer.content.decode()
    assert middleware.process_exception(page, ValueError()) is None


# --- Each write path: refused while suspended, works again once lifted ------------------------


def _upload(client, artist, other):
    data = {"filename": "song.flac", "size": 1000}
    return reverse("tracks:upload_start"), data, Upload.objects.count


def _comment(client, artist, other):
    track = TrackFactory(artist=other)
    data = {"at": "0:01", "body": "Lovely bridge"}
    return reverse("radio:comments", args=[track.public_id]), data, TimedComment.objects.count


def _message(client, artist, other):
    data = {"body": "Fancy a remix?", "token": str(uuid.uuid4())}
    return reverse("messaging:start", args=[other.slug]), data, Message.objects.count


def _playlist(client, artist, other):
    data = {"title": "Night drive", "description": "", "visibility": "public"}
    return reverse("playlists:create"), data, Playlist.objects.count


def _save(client, artist, other):
    track = TrackFactory(artist=other)
    url = reverse("playlists:save_track", args=[track.public_id])
    return url, {"on": "true"}, SavedTrack.objects.count


def _profile(client, artist, other):
    data = {"name": "Renamed", "slug": artist.slug, "bio": "", "links": "", "location": ""}

    def renamed():
        return Artist.objects.filter(name="Renamed").count()

    return reverse("artists:edit"), data, renamed


@pytest.mark.parametrize("case", [_upload, _comment, _message, _playlist, _save, _profile])
def test_a_write_path_is_refused_while_suspended_and_works_once_lifted(client, staff, case):
    artist, other = ArtistFactory(), ArtistFactory()
    client.force_login(artist.user)  # the session opened before the suspension
    url, data, count = case(client, artist, other)
    suspend(artist.user, staff)

    refused = client.post(url, data)
    assert refused.status_code == 403
    assert SUSPENDED_TEXT in refused.content.decode()
    assert count() == 0

    lift(artist.user, staff)
    client.force_login(artist.user)  # the refused request ended that session
    data = {**data, "token": str(uuid.uuid4())} if "token" in data else data
    accepted = client.post(url, data)
    assert accepted.status_code < 400, accepted.content.decode()[:500]
    assert count() == 1


# --- The services refuse too, for writes that do not come through a request ------------------


def _service_calls(artist, other):
    from messaging.services import send_message
    from playlists.services import add_tracks, create_playlist
    from radio.services import add_timed_comment
    from tracks.services import start_upload

    track = TrackFactory(artist=other)
    playlist = Playlist.objects.create(owner=artist.user, title="Before")
    return [
        lambda: start_upload(user=artist.user, artist=artist, filename="a.flac", size=10),
        lambda: add_timed_comment(author=artist.user, track=track, at_seconds=1, body="hi"),
        lambda: send_message(
            sender=artist.user, recipient=other.user, body="hello", token=uuid.uuid4()
        ),
        lambda: create_playlist(owner=artist.user, title="New"),
        lambda: add_tracks(playlist=playlist, tracks=[track], by=artist.user),
    ]


def test_write_services_refuse_a_suspended_user_without_writing(staff):
    artist, other = ArtistFactory(), ArtistFactory()
    calls = _service_calls(artist, other)
    suspend(artist.user, staff)
    artist.user.refresh_from_db()
    before = _row_counts()
    for call in calls:
        with pytest.raises(Suspended):
            call()
    assert _row_counts() == before


# --- Hidden, not deleted --------------------------------------------------------------------


def test_a_suspended_fans_public_content_is_hidden_and_comes_back_when_lifted(client, staff):
    fan = UserFactory(username="loud-fan")
    artist = ArtistFactory()
    track = TrackFactory(artist=artist)
    playlist = Playlist.objects.create(owner=fan, title="Fan favourites", visibility="public")
    TimedComment.objects.create(track=track, author=fan, at_seconds=1, body="Spammy comment")
    viewer = UserFactory(username="viewer")
    client.force_login(viewer)
    playlist_url = playlist.get_absolute_url()
    profile_url = reverse("playlists:profile", args=[fan.username])
    search_url = reverse("search") + "?q=Fan+favourites"

    def shown() -> dict[str, bool]:
        return {
            "playlist": client.get(playlist_url).status_code == 200,
            "profile": client.get(profile_url).status_code == 200,
            "comment": "Spammy comment" in client.get(track.get_absolute_url()).content.decode(),
            "search": playlist_url in client.get(search_url).content.decode(),
        }

    assert all(shown().values()), shown()
    suspend(fan, staff)
    assert not any(shown().values()), shown()
    lift(fan, staff)
    assert all(shown().values()), shown()
    assert Playlist.objects.filter(pk=playlist.pk).exists()


def test_a_suspended_artists_messages_read_removed_and_come_back(client, staff):
    sender, reader = ArtistFactory(), ArtistFactory()
    from messaging.services import send_message

    message, _ = send_message(
        sender=sender.user, recipient=reader.user, body="Buy followers now", token=uuid.uuid4()
    )
    client.force_login(reader.user)
    page_url = message.conversation.get_absolute_url()
    inbox_url = reverse("messaging:inbox")

    suspend(sender.user, staff)
    page, inbox = client.get(page_url).content.decode(), client.get(inbox_url).content.decode()
    assert "Buy followers now" not in page and "Removed" in page
    assert "Buy followers now" not in inbox and "Removed" in inbox

    lift(sender.user, staff)
    assert "Buy followers now" in client.get(page_url).content.decode()
    assert "Buy followers now" in client.get(inbox_url).content.decode()
    assert Message.objects.filter(pk=message.pk, body="Buy followers now").exists()


def test_collaborators_cannot_add_to_a_suspended_owners_playlist_until_it_is_lifted(staff):
    from django.utils import timezone

    from playlists import selectors
    from playlists.models import Collaborator

    owner, helper, invitee = UserFactory(), UserFactory(), UserFactory()
    playlist = Playlist.objects.create(owner=owner, title="Shared", visibility="public")
    Collaborator.objects.create(playlist=playlist, user=helper, accepted_at=timezone.now())
    Collaborator.objects.create(playlist=playlist, user=invitee)

    def usable() -> tuple[bool, bool, bool]:
        playlist.owner.refresh_from_db()
        return (
            selectors.can_edit(user=helper, playlist=playlist),
            playlist in selectors.editable_playlists(user=helper),
            playlist in selectors.invitations_for(user=invitee),
        )

    assert usable() == (True, True, True)
    suspend(owner, staff)
    assert usable() == (False, False, False)
    lift(owner, staff)
    assert usable() == (True, True, True)
