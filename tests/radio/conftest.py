import random

import pytest

from radio.models import RadioSession, StationKind
from tests.factories import ArtistFactory, TrackFactory


@pytest.fixture
def catalogue(db):
    """Six artists with three ready, public tracks each (no renditions: never streamed here)."""
    artists = [ArtistFactory() for _ in range(6)]
    return [
        TrackFactory(artist=a, genre="ambient" if i % 2 else "techno", renditions=False)
        for a in artists
        for i in range(3)
    ]


@pytest.fixture
def rng():
    return random.Random(1234)


@pytest.fixture
def discovery(db):
    return RadioSession.objects.create(listener_key="a:listener", kind=StationKind.DISCOVERY)
