"""Music made through the real pipeline, for browser tests that start from a catalogue."""

from tests.audio_files import audio_file
from tests.factories import ArtistFactory
from tracks import services
from tracks.models import Track


def upload_track(
    *, artist, seconds: int, release=None, position: int = 0, title: str = ""
) -> Track:
    track = services.import_audio_file(
        artist=artist,
        path=audio_file("mp3", seconds=seconds),
        release=release,
        position=position,
    )
    track.refresh_from_db()
    if title:
        track = services.update_track(track=track, title=title)
    return track


def seed_playable_track(*, seconds: int = 20) -> Track:
    return upload_track(artist=ArtistFactory(), seconds=seconds)


def seed_catalogue() -> dict:
    artist = ArtistFactory(name="Harbour Lights", slug="harbour-lights", bio="Folk from the docks.")
    release = services.create_release(artist=artist, title="Low Tide", kind="ep")
    for position, title in enumerate(["Rope", "Gull", "Ferry"], start=1):
        upload_track(artist=artist, seconds=6, release=release, position=position, title=title)
    single = upload_track(artist=artist, seconds=6, title="Lantern")
    return {
        "slug": artist.slug,
        "track": single.get_absolute_url(),
        "release": release.get_absolute_url(),
    }
