"""Shareable things in every state, for the sharing, embed and oEmbed tests."""

from django.utils import timezone

from playlists import services as playlist_services
from tracks.models import Visibility

STATES = ["public", "unlisted", "private", "taken_down"]


def put_in_state(obj, state: str):
    """Move a public item (track, release or playlist) into `state`."""
    if state in ("unlisted", "private"):
        obj.visibility = getattr(Visibility, state.upper())
    elif state == "taken_down":
        obj.taken_down_at = timezone.now()
    obj.save()
    return obj


def playlist_with(*, owner, tracks=(), title="Road Trip", **fields):
    playlist = playlist_services.create_playlist(owner=owner, title=title, **fields)
    if tracks:
        playlist_services.add_tracks(playlist=playlist, tracks=list(tracks), by=owner)
    playlist.refresh_from_db()
    return playlist
