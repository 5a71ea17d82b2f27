"""The next-track pick costs the same few queries whatever the size of the catalogue, and its
hand-written statement picks what scored_pool() ranks first."""

import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from radio import picking, services
from radio.models import ArtistExposure, Feedback, RadioSession, StationKind, TrackRadioScore
from tests.factories import ArtistFactory, TrackFactory
from tracks.models import Visibility

pytestmark = pytest.mark.django_db

# The pool's freshness, the pick, the track with its artist and release, the play and its score
# in a savepoint (4: the pool made the score rows of its tracks), the session's time.
NEXT_TRACK_QUERIES = 8


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
    # The catalogue is never read whole: tracks are read through the pool, or by primary key.
    reading_tracks = [q for q in large if "tracks_track" in q and "radio_pooltrack" not in q]
    assert [q.count('WHERE "tracks_track"."id" = ') for q in reading_tracks] == [1]


def test_the_pick_is_the_top_of_scored_pool(catalogue, rng):
    """Every term of the score in play: feedback on some tracks, affinities, hours heard, tracks
    that left the radio since the pool was built, a suspended artist, exclusions."""
    picking.ensure_pool("discovery")
    session = RadioSession.objects.create(listener_key="a:same", kind=StationKind.DISCOVERY)
    for kind in ("like", "dislike", "skip", "like"):
        play = services.next_track(session=session, rng=rng)
        services.record_feedback(play=play, kind=kind, reason="genre" if kind == "dislike" else "")
    ArtistExposure.objects.create(artist=catalogue[3].artist, heard_seconds=5400)
    TrackRadioScore.objects.filter(track__in=catalogue[9:12]).delete()  # as in older pools
    catalogue[4].visibility = Visibility.PRIVATE
    catalogue[4].save()
    catalogue[8].artist.is_suspended = True
    catalogue[8].artist.save()
    played = session.plays.values("track_id")
    disliked = Feedback.objects.filter(listener_key="a:same", kind="dislike").values("track_id")
    previous = [session.plays.latest("started_at").track.artist_id]

    for draw in range(30):
        picked = picking.pick_track(
            "discovery",
            listener_key="a:same",
            exclude_tracks=played.union(disliked),
            avoid_artists=previous,
            rng=random.Random(draw),
        )
        top = (
            picking.scored_pool(
                "discovery", listener_key="a:same", seed=random.Random(draw).randrange(1_000_003)
            )
            .exclude(track_id__in=played.union(disliked))
            .exclude(artist_id__in=previous)
            .order_by("-score", "track_id")
            .first()
        )
        assert picked.pk == top.track_id
        assert picked.pk != catalogue[4].pk and picked.artist_id != catalogue[8].artist_id
