"""The embeddable players (`/embed/<kind>/<id>`) and the stable audio URL cards point at.

Embeds are rendered for nobody in particular (user=None): private items never embed, whoever
asks, and the page is the same for everyone, so it is cached. They are the only pages other
sites may frame (CSP `frame-ancestors *`, no X-Frame-Options); every other page denies it.
"""

from functools import wraps

from django.conf import settings
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_safe

from analytics.services import clean_origin
from artists.selectors import access_artist
from backstage.pagecache import cache_for_anonymous
from tracks import selectors as track_selectors
from tracks import streaming

from . import sharing
from .models import Playlist
from .selectors import visible_items

ARTIST_TRACKS = 50

# The site's policy (settings.SECURE_CSP: scripts only from us, no plugins, no <base> tricks),
# except that other sites may frame embeds.
EMBED_CSP = {**settings.SECURE_CSP, "frame-ancestors": ["*"]}


def _referer_origin(request, *args, **kwargs) -> str:
    """The embedding site, as its browser sent it (the page carries it to the player)."""
    return clean_origin(request.headers.get("Referer", ""))


def _playlist_version(request, public_id) -> str:
    """Playlist edits do not bump the catalogue generation: key cached embeds on updated_at,
    and on taken_down_at (a takedown or restore leaves updated_at alone)."""
    stamps = (
        Playlist.objects.filter(public_id=public_id)
        .values_list("updated_at", "taken_down_at")
        .first()
    )
    version = ":".join(str(s.timestamp()) if s else "-" for s in stamps or ())
    return f"{_referer_origin(request)}:{version or 0}"


def embeddable(view, vary_on=_referer_origin):
    """GET (and HEAD) only, framable anywhere, cached for anonymous visitors. The CSP and frame
    options are set outside the cache, so a cached page keeps them; a missing or private item
    answers 404 with a page the frame can show (instead of the browser's refusal to frame it)."""
    cached = cache_for_anonymous(view, vary_on=vary_on)

    @wraps(view)
    def unavailable_inside_the_frame(request, *args, **kwargs):
        try:
            return cached(request, *args, **kwargs)
        except Http404:
            theme = request.GET.get("theme")
            context = {"theme": theme if theme in sharing.THEMES else "light"}
            return render(request, "embed/unavailable.html", context, status=404)

    framable = xframe_options_exempt(csp_override(EMBED_CSP)(unavailable_inside_the_frame))
    return require_safe(framable)


def _options(request, kind: str) -> dict:
    theme = request.GET.get("theme", "light")
    size = request.GET.get("size", "standard")
    try:
        start = int(request.GET.get("t", "0"))
    except ValueError:
        start = 0
    return {
        "theme": theme if theme in sharing.THEMES else "light",
        "compact": size == "compact",
        "start": min(max(start, 0), sharing.MAX_START) if kind == "track" else 0,
    }


def _render(request, kind: str, obj, tracks: list, *, context: str = "") -> object:
    if not sharing.is_shareable(obj):
        raise Http404("Nothing to embed here.")
    return render(
        request,
        f"embed/{'track' if kind == 'track' else 'collection'}.html",
        {
            "share": sharing.share_of(obj),
            "tracks": tracks,
            "play_context": context,
            "referer_origin": _referer_origin(request),
            **_options(request, kind),
        },
    )


def _embed_track(request, public_id):
    track = track_selectors.access_track(user=None, public_id=public_id)
    return _render(request, "track", track, [track])


def _embed_release(request, public_id):
    release = track_selectors.access_release(user=None, public_id=public_id)
    tracks = track_selectors.release_tracks(user=None, release=release)
    return _render(request, "release", release, tracks, context=release.public_id)


def _embed_playlist(request, public_id):
    playlist = Playlist.objects.select_related("owner").filter(public_id=public_id).first()
    if playlist is None:
        raise Http404("No such playlist.")
    tracks = [item.track for item in visible_items(user=None, playlist=playlist)]
    return _render(request, "playlist", playlist, tracks, context=playlist.public_id)


def _embed_artist(request, slug):
    artist = access_artist(user=None, slug=slug)
    tracks = list(
        track_selectors.listed_tracks()
        .filter(artist=artist)
        .order_by("-release_date", "release_id", "position", "-created_at")[:ARTIST_TRACKS]
    )
    return _render(request, "artist", artist, tracks)


embed_track = embeddable(_embed_track)
embed_release = embeddable(_embed_release)
embed_playlist = embeddable(_embed_playlist, vary_on=_playlist_version)
embed_artist = embeddable(_embed_artist)


@never_cache
@require_safe
def track_audio(request, public_id):
    """A stable MP3 URL for `og:audio`: stream URLs expire, so this one redirects to a fresh
    signed stream, checking access each time (private and taken-down tracks: 404)."""
    track = track_selectors.access_track(user=request.user, public_id=public_id)
    if not track.is_playable:
        raise Http404("This track is not ready to play yet.")
    sources = streaming.stream_sources(track=track, user=request.user)
    mp3 = [source for source in sources if source["type"] == "audio/mpeg"]
    if not mp3:
        raise Http404("This track has no MP3 version.")
    return HttpResponseRedirect(mp3[0]["src"])
