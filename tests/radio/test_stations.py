"""Personal stations: what a listener hears next."""

import itertools

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from radio import picking, services
from radio.models import Feedback, RadioSession, StationKind, TrackRadioScore
from tests.factories import TrackFactory
from tracks.models import Visibility

pytestmark = pytest.mark.django_db


def test_a_station_never_repeats_a_track_nor_an_artist_twice_in_a_row(catalogue, discovery, rng):
    tracks = []
    with pytest.raises(services.EmptyStation):
        for _ in range(len(catalogue) + 1):
            tracks.append(services.next_track(session=discovery, rng=rng).track)

    assert len({t.pk for t in tracks}) == len(tracks)
    assert all(a.artist_id != b.artist_id for a, b in itertools.pairwise(tracks))
    # It may stop early when only the last artist's tracks are left (never the same artist
    # twice in a row): at most two of that artist's three tracks are left unplayed.
    assert len(tracks) >= len(catalogue) - 2


def test_an_exhausted_station_says_so(discovery, rng):
    for _ in range(3):  # three artists, a track each
        TrackFactory(renditions=False)
    for _ in range(3):
        services.next_track(session=discovery, rng=rng)

    with pytest.raises(services.EmptyStation, match="played everything"):
        services.next_track(session=discovery, rng=rng)


def test_an_empty_catalogue_is_an_empty_station_not_an_error(discovery, rng):
    with pytest.raises(services.EmptyStation):
        services.next_track(session=discovery, rng=rng)


@pytest.mark.parametrize(
    "change",
    [
        {"visibility": Visibility.PRIVATE},
        {"visibility": Visibility.UNLISTED},
        {"radio_enabled": False},
        {"taken_down_at": timezone.now()},
    ],
)
def test_only_public_radio_enabled_tracks_play_even_from_a_pool_built_before(
    catalogue, discovery, rng, change
):
    picking.ensure_pool("discovery")
    kept = catalogue[0]
    for track in catalogue[1:]:
        for field, value in change.items():
            setattr(track, field, value)
        track.save()

    assert services.next_track(session=discovery, rng=rng).track == kept
    with pytest.raises(services.EmptyStation):
        services.next_track(session=discovery, rng=rng)


def test_a_tag_station_plays_only_that_genre(catalogue, rng):
    session = services.start_station(
        listener_key="a:x", user=None, kind=StationKind.TAG, seed="Ambient"
    )
    genres = {services.next_track(session=session, rng=rng).track.genre for _ in range(6)}
    assert genres == {"ambient"}
    with pytest.raises(services.EmptyStation):
        services.next_track(session=session, rng=rng)


def test_a_mood_station_plays_tracks_tagged_with_the_mood(catalogue, rng):
    calm = TrackFactory(tags=["calm", "piano"], renditions=False)
    session = services.start_station(
        listener_key="a:x", user=None, kind=StationKind.MOOD, seed="calm"
    )
    assert services.next_track(session=session, rng=rng).track == calm


@pytest.mark.parametrize(
    "kind, seed, message",
    [
        ("live", "", "no such station"),
        ("nonsense", "", "no such station"),
        ("tag", "  ", "Choose a genre"),
        ("mood", "furious", "no such mood"),
        ("artist", "", "Choose an artist"),
        ("track", "", "Choose a track"),
    ],
)
def test_bad_station_requests_get_a_clear_message(db, kind, seed, message):
    with pytest.raises(ValidationError, match=message):
        services.start_station(listener_key="a:x", user=None, kind=kind, seed=seed)
    assert not RadioSession.objects.exists()


def test_feedback_counts_once_and_like_replaces_dislike(catalogue, discovery, rng):
    play = services.next_track(session=discovery, rng=rng)

    services.record_feedback(play=play, kind="dislike", reason="vocals", at_seconds=2)
    services.record_feedback(play=play, kind="dislike", reason="vocals", at_seconds=2)
    services.record_feedback(play=play, kind="like")
    services.record_feedback(play=play, kind="like")

    score = TrackRadioScore.objects.get(track=play.track)
    assert (score.plays, score.likes, score.dislikes) == (1, 1, 0)
    assert list(Feedback.objects.values_list("kind", flat=True)) == ["like"]


@pytest.mark.parametrize(
    "kind, reason, at_seconds, message",
    [
        ("love", "", None, "like, a dislike or a skip"),
        ("like", "vocals", None, "Only a dislike"),
        ("dislike", "<script>", None, "reasons offered"),
        ("skip", "", 99.0, "after the end"),
        ("skip", "", -1.0, "not in the track"),
        ("skip", "", float("nan"), "not in the track"),
    ],
)
def test_bad_feedback_is_refused_and_nothing_is_written(
    catalogue, discovery, rng, kind, reason, at_seconds, message
):
    play = services.next_track(session=discovery, rng=rng)
    with pytest.raises(ValidationError, match=message):
        services.record_feedback(play=play, kind=kind, reason=reason, at_seconds=at_seconds)
    assert not Feedback.objects.exists()
    assert TrackRadioScore.objects.get(track=play.track).likes == 0


def test_a_disliked_track_never_comes_back_to_that_listener(catalogue, discovery, rng):
    play = services.next_track(session=discovery, rng=rng)
    services.record_feedback(play=play, kind="dislike")
    again = RadioSession.objects.create(listener_key="a:listener", kind=StationKind.DISCOVERY)

    heard = {services.next_track(session=again, rng=rng).track for _ in range(10)}
    assert play.track not in heard
