import pytest

from tests.factories import ArtistFactory


@pytest.fixture
def poster(artist):
    """The artist who posts calls in these tests (Mira Sol, the shared cast's artist)."""
    return artist


@pytest.fixture
def singer(db):
    """Another artist, who answers calls."""
    return ArtistFactory(name="Ana Voz", slug="ana-voz", skills=["vocalist"])
