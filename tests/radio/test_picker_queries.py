"""The next-track pick costs the same few queries whatever the size of the catalogue."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from radio import picking, services
from radio.models import RadioSession, StationKind
from tests.factories import ArtistFactory, TrackFactory

pytestmark = pytest.mark.django_db

# The pool's freshness, the pick (scored pool, exclusions and the track with its artist and
# release in one statement), the play and its score in a savepoint (4: the pool made the score
# rows of its tracks), the session's time.
NEXT_TRACK_QUERIES = 7


def queries_of_next_track(session, rng) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        services.next_track(session=session, rng=rng)
    return [q["sql"] for q in queries.captured_queries]


def test_next_track_runs_a_constant_number_of_queries(catalogue, rng):
    session = RadioSession.objects.create(listener_key="a:count", kind=StationKind.DISCOVERY)
    services.next_track(session=session, rng=rng)  # the pool is built on first use
    small = queries_of_next_track(session, rng)

    for _ in range(10):
        artist = ArtistFactory()
        for _ in range(6):
            TrackFactory(artist=artist, renditions=False)
    picking.refresh_pool("discovery")
    for _ in range(5):
        play = services.next_track(session=session, rng=rng)
        services.record_feedback(play=play, kind="dislike", reason="vocals")
    large = queries_of_next_track(session, rng)

    assert len(small) == len(large) == NEXT_TRACK_QUERIES
    # The catalogue is never read whole: only the pool's rows are scored.
    assert not any('FROM "tracks_track"' in sql and "radio_pooltrack" not in sql for sql in large)
