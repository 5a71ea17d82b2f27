"""Seed the load stack: `python -m tests.load.seed OUT.json` (with the stack's environment).

One real 5-second track goes through the upload pipeline (original, Opus and MP3 renditions in
S3); the catalogue's other tracks share its files, so a few hundred listenable tracks cost one
ffmpeg run. Fans and uploading artists get a session each: the load generator sends their
cookies instead of logging in (logins are not what is measured, and are rate-limited).
"""

import json
import sys

import django

SECONDS = 5.0


def seed(*, artists: int, tracks_per_artist: int, fans: int, uploaders: int) -> dict:
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from artists.models import Artist
    from backstage.models import User
    from payments.models import PriceTag
    from playlists import services as playlist_services
    from radio.tasks import refresh_pools
    from tests.audio_files import audio_file, processed_track
    from tracks.models import Release, Rendition, Track

    def session_for(user: User) -> str:
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        return store.session_key

    def new_user(name: str) -> User:
        return User.objects.create_user(username=name, email=f"{name}@load.test", password=None)

    people = [new_user(f"load-artist-{n}") for n in range(artists)]
    cast = [
        Artist.objects.create(user=user, name=f"Load Artist {n}", slug=f"load-artist-{n}")
        for n, user in enumerate(people)
    ]
    model = processed_track(cast[0], audio_file("flac", seconds=SECONDS), "model.flac")
    assert model.status == Track.Status.READY, model.status_message
    renditions = list(model.renditions.all())
    genres = ["ambient", "folk", "techno", "jazz", "indie"]
    for n, artist in enumerate(cast):
        release = Release.objects.create(artist=artist, title=f"Load Release {n}")
        made = Track.objects.bulk_create(
            Track(
                artist=artist,
                release=release,
                position=i,
                title=f"Load song {n}-{i} {genres[(n + i) % len(genres)]}",
                genre=genres[(n + i) % len(genres)],
                status=Track.Status.READY,
                duration=model.duration,
                original=model.original.name,
                original_filename="model.flac",
                original_size=model.original_size,
                peaks=model.peaks,
                codec=model.codec,
            )
            for i in range(tracks_per_artist)
        )
        Rendition.objects.bulk_create(
            Rendition(track=t, format=r.format, file=r.file.name, size=r.size, bitrate=r.bitrate)
            for t in made
            for r in renditions
        )
    PriceTag.objects.bulk_create(PriceTag(release=r, price=700) for r in Release.objects.all())
    refresh_pools()

    track_list = list(Track.objects.filter(status=Track.Status.READY).order_by("id"))
    fan_list = []
    for n in range(fans):
        fan = new_user(f"load-fan-{n}")
        playlist = playlist_services.create_playlist(
            owner=fan, title=f"Load mix {n}", description="", visibility="public"
        )
        fan_list.append(
            {"session": session_for(fan), "playlist": playlist.public_id, "user": fan.pk}
        )
    return {
        "duration": model.duration,
        "tracks": [t.public_id for t in track_list],
        "track_urls": [t.get_absolute_url() for t in track_list],
        "release_urls": [r.get_absolute_url() for r in Release.objects.all()],
        "releases": [r.public_id for r in Release.objects.all()],  # each €7.00
        "artist_urls": [a.get_absolute_url() for a in cast],
        "artist_slugs": [a.slug for a in cast],
        "artist_names": [a.name for a in cast],
        "fans": fan_list,
        "uploaders": [{"session": session_for(a.user)} for a in cast[:uploaders]],
    }


if __name__ == "__main__":
    django.setup()
    sizes = json.loads(sys.argv[2]) if len(sys.argv) > 2 else {}
    data = seed(
        artists=sizes.get("artists", 30),
        tracks_per_artist=sizes.get("tracks_per_artist", 10),
        fans=sizes.get("fans", 60),
        uploaders=sizes.get("uploaders", 10),
    )
    with open(sys.argv[1], "w") as out:
        json.dump(data, out)
