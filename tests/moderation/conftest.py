"""One of each reportable thing, made the way the site makes them, and who reports them."""

import uuid

import pytest

from messaging import services as messaging
from moderation.selectors import report_url
from playlists import services as playlists
from radio import services as radio
from tests.factories import ArtistFactory, ReleaseFactory, TrackFactory


@pytest.fixture
def release(artist):
    return ReleaseFactory(artist=artist, title="Night Songs")


@pytest.fixture
def track(artist, release):
    return TrackFactory(artist=artist, release=release, title="Rope", duration=200.0)


@pytest.fixture
def playlist(outsider, track):
    playlist = playlists.create_playlist(owner=outsider, title="Loud mix")
    playlists.add_tracks(playlist=playlist, tracks=[track], by=outsider)
    return playlist


@pytest.fixture
def comment(outsider, track):
    return radio.add_timed_comment(author=outsider, track=track, at_seconds=12, body="Rude words")


@pytest.fixture
def sender(db):
    return ArtistFactory(name="Spammy Sam", slug="spammy-sam")


@pytest.fixture
def fan_artist(fan):
    """The fan, running an artist profile (only artists message each other)."""
    return ArtistFactory(user=fan, name="Fan Band", slug="fan-band")


@pytest.fixture
def message(sender, fan_artist):
    message, _created = messaging.send_message(
        sender=sender.user, recipient=fan_artist.user, body="Buy followers", token=uuid.uuid4()
    )
    return message


@pytest.fixture
def things(track, release, artist, playlist, comment):
    """What anyone (signed in or not) may report."""
    return {
        "track": track,
        "release": release,
        "artist": artist,
        "playlist": playlist,
        "comment": comment,
    }


PUBLIC_KINDS = ["track", "release", "artist", "playlist", "comment"]


def report(client, obj, **data):
    return client.post(report_url(obj), {"category": "offensive", **data})
