"""`{% share_menu obj %}` and `{% share_meta obj %}` for track, release, playlist and artist
pages (`{% load sharing %}`). Both render nothing for private or taken-down items."""

import json

from django import template
from django.urls import reverse

from playlists import sharing
from playlists.selectors import visible_items
from tracks.models import Visibility
from tracks.selectors import release_tracks

register = template.Library()

MAX_SONGS = 100


@register.inclusion_tag("sharing/_share_menu.html")
def share_menu(obj):
    if not sharing.is_shareable(obj):
        return {"share": None}
    share = sharing.share_of(obj)
    return {
        "share": share,
        "embed_code": sharing.iframe_code(share),
        "heights": json.dumps(
            {size: sharing.embed_height(share.kind, size) for size in sharing.SIZES}
        ),
        "links": sharing.social_links(share),
        "duration": int(getattr(obj, "duration", 0) or 0),
    }


def _songs(obj, kind: str) -> list:
    if kind == "release":
        return release_tracks(user=None, release=obj)[:MAX_SONGS]
    if kind == "playlist":
        return [item.track for item in visible_items(user=None, playlist=obj)[:MAX_SONGS]]
    return []


@register.inclusion_tag("sharing/_meta.html")
def share_meta(obj):
    """Open Graph and Twitter/X player card tags, and oEmbed discovery (nothing for private or
    taken-down items). An unlisted item also asks search engines not to index its page: its
    link travels, but it is listed nowhere."""
    if not sharing.is_shareable(obj):
        return {"tags": []}
    noindex = getattr(obj, "visibility", Visibility.PUBLIC) == Visibility.UNLISTED
    share = sharing.share_of(obj)
    audio_url = ""
    if share.kind == "track":
        audio_url = sharing.absolute(reverse("embed:track_audio", args=[share.id]))
    album = _listed_album(obj) if share.kind == "track" else None
    return {
        "share": share,
        "noindex": noindex,
        "tags": sharing.meta_tags(
            share,
            songs=_songs(obj, share.kind),
            audio_url=audio_url,
            duration=getattr(obj, "duration", None),
            album=album,
            album_track=_number_on(album, obj) if album else 0,
            release_date=obj.release_date if share.kind == "release" else None,
        ),
    }


def _listed_album(track):
    """The release a song card names as its music:album: only a public one (an unlisted
    release's address must not travel on a public track's card)."""
    release = track.release if track.release_id else None
    if release is None or release.visibility != Visibility.PUBLIC:
        return None
    return release if sharing.is_shareable(release) else None


def _number_on(release, track) -> int:
    """The track's number on its release's card (music:song:track counts listenable songs)."""
    songs = release_tracks(user=None, release=release)[:MAX_SONGS]
    return next((n for n, song in enumerate(songs, start=1) if song.id == track.id), 0)
