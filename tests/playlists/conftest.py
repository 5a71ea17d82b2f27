"""A playlist cast: its owner (the fan), an invited collaborator, an outsider, and music."""

import pytest

from playlists import ranking, services
from playlists.models import PlaylistItem
from tests.factories import TrackFactory, UserFactory
from tracks.models import Track


@pytest.fixture
def collaborator(db):
    return UserFactory(username="collab", email="collab@example.com")


@pytest.fixture
def tracks(artist):
    return [TrackFactory(artist=artist, title=f"Song {n}") for n in range(1, 5)]


@pytest.fixture
def make_playlist(fan, collaborator, tracks):
    """A playlist owned by `fan`, with `collaborator` invited and the first three tracks in."""

    def make(visibility="public", **fields):
        playlist = services.create_playlist(
            owner=fan, title="Road trip", visibility=visibility, **fields
        )
        services.invite_collaborator(playlist=playlist, user=collaborator)
        services.accept_invitation(playlist=playlist, user=collaborator)
        services.add_tracks(playlist=playlist, tracks=tracks[:3], by=fan)
        return playlist

    return make


def order(playlist) -> list[str]:
    return list(playlist.items.order_by("rank").values_list("track__title", flat=True))


def bulk_tracks(artist, count: int) -> list[Track]:
    """Many ready tracks quickly (no renditions: pages never touch them)."""
    start = Track.objects.count()
    return Track.objects.bulk_create(
        Track(
            artist=artist,
            title=f"Bulk {start + n}",
            status=Track.Status.READY,
            duration=180,
            original="x.flac",
            original_filename="x.flac",
        )
        for n in range(count)
    )


def fill(playlist, tracks, by) -> None:
    key = playlist.items.order_by("-rank").values_list("rank", flat=True).first()
    items = []
    for track in tracks:
        key = ranking.key_between(key, None)
        items.append(PlaylistItem(playlist=playlist, track=track, rank=key, added_by=by))
    PlaylistItem.objects.bulk_create(items, batch_size=2000)
    playlist.item_count += len(items)
    playlist.save(update_fields=["item_count"])


@pytest.fixture
def make_item(artist, fan):
    """make_item(kind, state): a track, release, playlist or artist in a sharing state."""
    from tests.factories import ReleaseFactory
    from tests.playlists.sharing_cast import playlist_with, put_in_state

    def make(kind: str, state: str = "public"):
        if kind == "track":
            return put_in_state(TrackFactory(artist=artist, title="Night Swim"), state)
        if kind == "release":
            release = ReleaseFactory(artist=artist, title="Tidal")
            TrackFactory(artist=artist, release=release, position=1, title="Undertow")
            return put_in_state(release, state)
        if kind == "playlist":
            track = TrackFactory(artist=artist, title="Night Swim")
            return put_in_state(playlist_with(owner=fan, tracks=[track]), state)
        if state == "taken_down":  # artists are suspended rather than taken down
            artist.is_suspended = True
            artist.save()
        TrackFactory(artist=artist, title="Night Swim")
        return artist

    return make
