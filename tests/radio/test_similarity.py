"""Artist similarity: co-listening blended with shared tags, and the stations that use it."""

import math
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from analytics.models import PlayEvent
from artists.models import Follow
from playlists.models import SavedTrack
from radio import services, similarity, tasks
from radio.models import ArtistSimilarity, StationKind
from tests.factories import ArtistFactory, TrackFactory, UserFactory
from tracks.models import Visibility

pytestmark = pytest.mark.django_db


def played(track, listener_key, *, counted=True, days_ago=1):
    PlayEvent.objects.create(
        nonce=uuid.uuid4().hex,
        track=track,
        artist_id=track.artist_id,
        listener_key=listener_key,
        started_at=timezone.now() - timedelta(days=days_ago),
        counted=counted,
    )


def liked_on_radio(track, listener_key):
    play = services.record_radio_play(track=track, listener_key=listener_key, user=None)
    services.record_feedback(play=play, kind="like")


@pytest.fixture
def scene(db):
    """Five artists, one track each. A's listeners also hear B (3 of them) and C (2, through a
    radio like, a follow and a save); A and C share two tags of three."""
    names = "abcde"
    artists = {n: ArtistFactory(slug=f"sim-{n}") for n in names}
    tagging = {
        "a": ("shoegaze", ["dreamy", "noise"]),
        "b": ("techno", []),
        "c": ("shoegaze", ["dreamy"]),
        "d": ("folk", []),
        "e": ("folk", ["dreamy"]),
    }
    tracks = {
        n: TrackFactory(artist=artists[n], genre=g, tags=t, renditions=False)
        for n, (g, t) in tagging.items()
    }
    # B's private track is tagged shoegaze: private tracks say nothing about the artist.
    TrackFactory(
        artist=artists["b"], genre="shoegaze", visibility=Visibility.PRIVATE, renditions=False
    )
    for listener in ("a:1", "a:2", "a:3"):
        played(tracks["a"], listener)
        played(tracks["b"], listener)
    played(tracks["a"], "a:4")
    liked_on_radio(tracks["c"], "a:4")
    fan = UserFactory()
    Follow.objects.create(user=fan, artist=artists["a"])
    SavedTrack.objects.create(user=fan, track=tracks["c"])
    played(tracks["a"], "a:6")
    played(tracks["b"], "a:9")  # one listener of B and C: a coincidence, not a pair
    played(tracks["c"], "a:9")
    played(tracks["a"], "a:7", counted=False)  # not counted: not heard
    played(tracks["d"], "a:7", counted=False)
    played(tracks["a"], "a:8", days_ago=100)  # older than the window
    played(tracks["d"], "a:8", days_ago=100)
    return {n: a.pk for n, a in artists.items()}, tracks


def test_similarity_blends_co_listening_and_shared_tags_exactly(scene):
    ids, _ = scene

    assert similarity.refresh_similarity() == 10

    # Listeners: A 6 (a:1–4, a:6, the fan), B 4 (a:1–3, a:9), C 3 (a:4, the fan, a:9).
    # Tags: A {shoegaze, dreamy, noise}, C {shoegaze, dreamy}, E {folk, dreamy}, D {folk}.
    a_b = 0.7 * 3 / math.sqrt(6 * 4)
    a_c = 0.7 * 2 / math.sqrt(6 * 3) + 0.3 * 2 / 3
    expected = {
        ("a", "b"): a_b,
        ("b", "a"): a_b,
        ("a", "c"): a_c,
        ("c", "a"): a_c,
        ("a", "e"): 0.3 * 1 / 4,
        ("e", "a"): 0.3 * 1 / 4,
        ("c", "e"): 0.3 * 1 / 3,
        ("e", "c"): 0.3 * 1 / 3,
        ("d", "e"): 0.3 * 1 / 2,
        ("e", "d"): 0.3 * 1 / 2,
    }
    names = {pk: n for n, pk in ids.items()}
    stored = {
        (names[a], names[o]): score
        for a, o, score in ArtistSimilarity.objects.values_list("artist", "other", "score")
    }
    assert stored == pytest.approx(expected)
    best_of_a = ArtistSimilarity.objects.filter(artist=ids["a"]).order_by("-score")
    assert [names[o] for o in best_of_a.values_list("other", flat=True)] == ["c", "b", "e"]


def test_omnivores_and_very_common_tags_are_left_out(scene, monkeypatch):
    ids, _ = scene
    monkeypatch.setattr(similarity, "MAX_ARTISTS_PER_LISTENER", 1)  # every listener of 2+
    monkeypatch.setattr(similarity, "MAX_TAG_ARTISTS", 2)  # "dreamy" (A, C, E) is too common

    similarity.refresh_similarity()

    # No co-listening left. A {shoegaze, noise} and C {shoegaze}: 1 of 2 tags; D {folk} and
    # E {folk}: 1 of 1.
    stored = {
        (a, o): score
        for a, o, score in ArtistSimilarity.objects.values_list("artist", "other", "score")
    }
    assert stored == pytest.approx(
        {
            (ids["a"], ids["c"]): 0.3 / 2,
            (ids["c"], ids["a"]): 0.3 / 2,
            (ids["d"], ids["e"]): 0.3,
            (ids["e"], ids["d"]): 0.3,
        }
    )


def test_each_artist_keeps_only_its_best_neighbours(scene, monkeypatch):
    ids, _ = scene
    monkeypatch.setattr(similarity, "SIMILAR_ARTISTS", 1)

    similarity.refresh_similarity()

    assert ArtistSimilarity.objects.filter(artist=ids["a"]).get().other_id == ids["c"]
    assert ArtistSimilarity.objects.filter(artist=ids["e"]).get().other_id == ids["d"]


def test_the_nightly_task_rewrites_the_table(scene, settings):
    ids, _ = scene
    entry = settings.CELERY_BEAT_SCHEDULE["radio-refresh-similarity"]
    assert (entry["task"], entry["schedule"].hour) == ("radio.refresh_similarity", {1})
    stale = ArtistSimilarity.objects.create(artist_id=ids["b"], other_id=ids["d"], score=0.9)

    assert tasks.refresh_similarity() == 10
    assert not ArtistSimilarity.objects.filter(pk=stale.pk).exists()


def test_artist_radio_plays_the_artist_and_its_neighbours_only(scene, rng):
    _, tracks = scene
    similarity.refresh_similarity()
    session = services.start_station(
        listener_key="a:radio", user=None, kind=StationKind.ARTIST, artist=tracks["a"].artist
    )

    heard = set()
    with pytest.raises(services.EmptyStation):
        for _ in range(10):
            heard.add(services.next_track(session=session, rng=rng).track.artist.slug)
    assert heard == {"sim-a", "sim-b", "sim-c", "sim-e"}  # never D: nothing in common


def test_a_station_from_a_track_plays_its_neighbours_and_its_genre(scene, rng):
    _, tracks = scene
    similarity.refresh_similarity()
    same_genre = TrackFactory(genre="Techno", renditions=False)  # B's genre, another artist
    session = services.start_station(
        listener_key="a:radio", user=None, kind=StationKind.TRACK, track=tracks["b"]
    )

    heard = set()
    with pytest.raises(services.EmptyStation):
        for _ in range(10):
            heard.add(services.next_track(session=session, rng=rng).track)
    # B's only neighbour is A; the seed track itself is never played back.
    assert heard == {tracks["a"], same_genre}
