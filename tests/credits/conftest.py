import pytest

from tests.factories import ArtistFactory, ReleaseFactory, TrackFactory


@pytest.fixture
def ada(db):
    """A collaborator of the uploader (the `artist` fixture, Mira Sol)."""
    return ArtistFactory(name="Ada Lux", slug="ada")


@pytest.fixture
def bo(db):
    return ArtistFactory(name="Bo Ray", slug="bo")


@pytest.fixture
def release(artist):
    return ReleaseFactory(artist=artist, title="Shed Tapes")


@pytest.fixture
def track(artist, release):
    return TrackFactory(artist=artist, release=release, title="Night Bus")


@pytest.fixture
def ada_client(client, ada):
    client.force_login(ada.user)
    return client
