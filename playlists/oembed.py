"""oEmbed 1.0 provider (https://oembed.com/): `GET /oembed?url=<one of our pages>`.

JSON only (format=xml → 501). Answers: 404 for URLs that are not one of our track, release,
playlist or artist pages (foreign hosts included) and for taken-down items, 401 for private
ones, 400 for a missing url or a maxwidth/maxheight that is not a positive whole number (the
spec leaves malformed parameters open; a clear 400 says what to fix). width/height never exceed
maxwidth/maxheight.
"""

import json
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpResponse, JsonResponse
from django.urls import Resolver404, resolve
from django.views.decorators.http import require_safe

from artists.models import Artist
from tracks.models import Release, Track, Visibility

from . import sharing
from .models import Playlist

CACHE_AGE = 3600
MAX_DIMENSION = 10**9
MIN_STANDARD_HEIGHT = 140  # below this a collection's tracklist has no room: compact layout

# Our page routes (and the embeds themselves) → the kind of item they show.
ROUTES = {
    "tracks:track": "track",
    "tracks:track_short": "track",
    "tracks:release": "release",
    "tracks:release_short": "release",
    "playlists:detail": "playlist",
    "playlists:short": "playlist",
    "artists:detail": "artist",
    "embed:track": "track",
    "embed:release": "release",
    "embed:playlist": "playlist",
    "embed:artist": "artist",
}


class Unauthorized(Exception):
    """The item exists but is private: oEmbed's 401."""


# "<", ">" and "&" as \u escapes: the JSON stays equal, and no consumer that pastes it into a
# page (or a browser sniffing it) ever meets markup in it.
_MARKUP_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}


def _json(data: dict) -> str:
    return json.dumps(data).translate(_MARKUP_ESCAPES)


def _error(status: int, message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def page_route(url: str) -> tuple[str, dict]:
    """The kind of item one of our page URLs shows and its route's arguments; Http404 for any
    other URL. Reads no database (tests/fuzz/atheris_parsers.py fuzzes it alone)."""
    try:
        parts = urlsplit(url.strip())
        host = parts.netloc.lower()
    except ValueError:
        raise Http404("Not a URL.") from None
    if parts.scheme not in ("http", "https") or host != sharing.site_host():
        raise Http404("Not one of our pages.")
    path = unquote(parts.path or "/")
    if "\x00" in path:  # no page of ours has one, and PostgreSQL refuses it in a query
        raise Http404("Not a page we can embed.")
    match = _resolve(path)
    kind = ROUTES.get(match.view_name) if match else None
    if kind is None:
        raise Http404("Not a page we can embed.")
    return kind, match.kwargs


def find_item(url: str):
    """The item one of our page URLs shows; Http404 for anything else, Unauthorized for a
    private item."""
    item = _lookup(*page_route(url))
    if item is None:
        raise Http404("No such item.")
    if _private_but_otherwise_fine(item):
        raise Unauthorized
    if not sharing.is_shareable(item):
        raise Http404("This item is not available.")
    return item


def _resolve(path: str):
    """The route of `path` (also without its trailing slash), or None."""
    for candidate in (path, path.rstrip("/") + "/"):
        try:
            return resolve(candidate)
        except Resolver404:
            continue
    return None


def _private_but_otherwise_fine(item) -> bool:
    if isinstance(item, Artist) or item.visibility != Visibility.PRIVATE:
        return False
    artist = getattr(item, "artist", None)
    hidden = item.is_hidden if isinstance(item, Playlist) else item.is_taken_down
    return not hidden and not (artist and artist.is_suspended)


def _lookup(kind: str, kwargs: dict):
    if kind == "artist":
        return Artist.objects.filter(slug=kwargs.get("slug")).first()
    model = {"track": Track, "release": Release, "playlist": Playlist}[kind]
    related = "owner" if kind == "playlist" else "artist"
    return model.objects.select_related(related).filter(public_id=kwargs.get("public_id")).first()


def _dimension(request, name: str) -> int | None:
    value = request.GET.get(name, "").strip()
    if not value:
        return None
    digits = value.lstrip("0")
    if not (value.isascii() and value.isdigit()) or not digits:
        raise ValueError(f"{name} must be a positive whole number of pixels.")
    # Any size past a billion pixels limits nothing, and int() refuses 4,300 digits and more.
    return int(digits) if len(digits) <= 9 else MAX_DIMENSION


def _thumbnail(share: sharing.Share, *, maxwidth: int | None, maxheight: int | None) -> dict:
    """thumbnail_url/width/height, all three or none (reading a picture's size once). The spec
    says the thumbnail must respect maxwidth/maxheight; we keep no smaller copies, so a picture
    larger than asked is left out."""
    if not share.image:
        return {}
    key = f"oembed:image-size:{share.image.name}"
    size = cache.get(key)
    if size is None:
        try:
            size = [share.image.width, share.image.height]
        except (OSError, ValueError):
            return {}
        cache.set(key, size, None)
    if size[0] > (maxwidth or size[0]) or size[1] > (maxheight or size[1]):
        return {}
    return {
        "thumbnail_url": share.image_url,
        "thumbnail_width": size[0],
        "thumbnail_height": size[1],
    }


def oembed_data(item, *, maxwidth: int | None = None, maxheight: int | None = None) -> dict:
    share = sharing.share_of(item)
    width = min(sharing.WIDTH, maxwidth or sharing.WIDTH)
    height = min(sharing.embed_height(share.kind), maxheight or sharing.embed_height(share.kind))
    size = "standard"
    if height < MIN_STANDARD_HEIGHT:
        size = "compact"
        height = min(height, sharing.embed_height(share.kind, "compact"))
    data = {
        "version": "1.0",
        "type": "rich",
        "provider_name": settings.SITE_NAME,
        "provider_url": settings.SITE_URL + "/",
        "title": share.title,
        "cache_age": CACHE_AGE,
        "html": sharing.iframe_code(share, size=size, width=width, height=height),
        "width": width,
        "height": height,
        **_thumbnail(share, maxwidth=maxwidth, maxheight=maxheight),
    }
    if share.author_name:
        data["author_name"] = share.author_name
    if share.author_url:
        data["author_url"] = share.author_url
    return data


@require_safe
def oembed(request):
    fmt = request.GET.get("format", "json")
    if fmt != "json":
        return HttpResponse("Only format=json is served.", status=501, content_type="text/plain")
    url = request.GET.get("url", "")
    if not url or len(url) > 2000:
        return _error(400, "Pass the address of a page as ?url=.")
    try:
        maxwidth, maxheight = _dimension(request, "maxwidth"), _dimension(request, "maxheight")
    except ValueError as exc:
        return _error(400, str(exc))
    try:
        item = find_item(url)
    except Http404 as exc:
        return _error(404, str(exc))
    except Unauthorized:
        return _error(401, "This item is private.")
    response = HttpResponse(
        _json(oembed_data(item, maxwidth=maxwidth, maxheight=maxheight)),
        content_type="application/json",
    )
    response["Cache-Control"] = f"public, max-age={CACHE_AGE}"
    response["Access-Control-Allow-Origin"] = "*"
    return response
