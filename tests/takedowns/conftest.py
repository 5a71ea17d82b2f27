import pytest

from tests.factories import ArtistFactory, TrackFactory


@pytest.fixture
def uploader(db):
    return ArtistFactory(name="Copy Cat", slug="copy-cat", user__email="cat@example.com")


@pytest.fixture
def track(uploader):
    return TrackFactory(artist=uploader, title="Borrowed Tune")
