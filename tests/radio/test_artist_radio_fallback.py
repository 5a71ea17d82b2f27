"""Artist radio before any co-listening: the artist, then artists sharing a genre or tag."""

import pytest
from django.test import Client

from radio import services
from radio.models import ArtistSimilarity, StationKind
from tests.factories import ArtistFactory, TrackFactory

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}


def artist_radio(artist):
    return services.start_station(
        listener_key="a:fallback", user=None, kind=StationKind.ARTIST, artist=artist
    )


def play_all(session, rng) -> list:
    heard = []
    with pytest.raises(services.EmptyStation, match="played everything"):
        for _ in range(20):
            heard.append(services.next_track(session=session, rng=rng).track)
    return heard


def test_an_artist_alone_on_a_new_site_plays_all_five_tracks_through_the_view():
    artist = ArtistFactory()
    for _ in range(5):
        TrackFactory(artist=artist, renditions=False)
    client = Client()
    started = client.post("/radio/start", {"kind": "artist", "artist": artist.name}, **JSON)

    codes = [client.post(started.json()["next"], **JSON).status_code for _ in range(6)]

    assert codes == [200, 200, 200, 200, 200, 409]


def test_without_similar_artists_it_plays_artists_sharing_a_genre_or_tag(rng):
    folk = ArtistFactory(slug="folk")
    own = [
        TrackFactory(artist=folk, genre="Folk", tags=["sea"], renditions=False) for _ in range(2)
    ]
    same_genre = TrackFactory(artist=ArtistFactory(), genre="folk", renditions=False)
    same_tag = TrackFactory(artist=ArtistFactory(), genre="Pop", tags=["sea"], renditions=False)
    genre_as_tag = TrackFactory(artist=ArtistFactory(), tags=["folk"], renditions=False)
    TrackFactory(artist=ArtistFactory(), genre="Techno", tags=["club"], renditions=False)
    assert not ArtistSimilarity.objects.exists()

    heard = play_all(artist_radio(folk), rng)

    assert set(heard) == {*own, same_genre, same_tag, genre_as_tag}  # never the techno


def test_with_similar_artists_it_keeps_to_them(rng):
    folk = ArtistFactory()
    own = TrackFactory(artist=folk, genre="Folk", renditions=False)
    neighbour = TrackFactory(artist=ArtistFactory(), genre="Jazz", renditions=False)
    TrackFactory(artist=ArtistFactory(), genre="Folk", renditions=False)
    ArtistSimilarity.objects.create(artist=folk, other=neighbour.artist, score=0.5)

    assert set(play_all(artist_radio(folk), rng)) == {own, neighbour}
