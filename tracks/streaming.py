"""Short-lived signed stream URLs, and answering them.

A stream URL names a rendition and the listener it was issued to, signed and time-stamped.
Every request for it re-checks that the listener may still hear the track, so a takedown or a
switch to private stops playback at once, even in players that already hold the URL. Then:
- S3 (full stack): redirect to a presigned URL valid for a few minutes (Django moves no bytes);
- nginx (MEDIA_ACCEL_PREFIX set): answer with X-Accel-Redirect to an internal location;
- embedded default: serve the file, honouring HTTP Range (206) so seeking works.
"""

import os
import re
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.http import (
    FileResponse,
    Http404,
    HttpResponse,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.urls import reverse
from django.utils.http import http_date

from backstage import media, s3
from backstage.models import User

from .models import Rendition, Track, audio_storage
from .selectors import can_see_track

SALT = "tracks.stream"
PREFERRED_ORDER = ("opus", "mp3")
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def stream_sources(*, track: Track, user: User | None) -> list[dict]:
    """Signed URLs of a playable track's renditions, best first, for the player."""
    renditions = sorted(track.renditions.all(), key=lambda r: PREFERRED_ORDER.index(r.format))
    user_id = user.id if user and user.is_authenticated else 0
    return [
        {
            "src": reverse(
                "tracks:stream",
                kwargs={
                    "token": signing.dumps({"r": r.id, "u": user_id}, salt=SALT, compress=True)
                },
            ),
            "type": r.mime_type,
        }
        for r in renditions
    ]


def player_item(
    *,
    track: Track,
    sources: list[dict],
    play_token: str | None = None,
    item_id: str = "",
    url: str = "",
) -> dict:
    """What the player (static/js/player.js) needs to start a track: its signed sources, title,
    artwork and links. `item_id` and `url` default to the track's own."""
    cover = track.display_cover
    return {
        "play_token": play_token,
        "id": item_id or track.public_id,
        "title": track.title,
        "artist": track.artist.name,
        "artist_url": track.artist.get_absolute_url(),
        "url": url or track.get_absolute_url(),
        "cover": cover.url if cover else None,
        "duration": track.duration,
        "sources": sources,
    }


def rendition_for_token(token: str, *, user: User | None) -> Rendition:
    """The rendition a valid, unexpired token names, if its track may still be heard by both
    the listener it was issued to and `user`, who is asking (a link to a private track must
    not play for whoever it is passed on to)."""
    try:
        claims = signing.loads(token, salt=SALT, max_age=settings.STREAM_URL_TTL)
    except signing.BadSignature as exc:  # includes SignatureExpired
        raise Http404("This stream link has expired. Press play again.") from exc
    rendition = (
        Rendition.objects.select_related("track__artist", "track__release")
        .filter(id=claims.get("r"))
        .first()
    )
    listener = User.objects.filter(id=claims.get("u")).first() if claims.get("u") else None
    if rendition is None or not rendition.track.is_playable:
        raise Http404("This track is not available.")
    if not (
        can_see_track(user=listener, track=rendition.track)
        and can_see_track(user=user, track=rendition.track)
    ):
        raise Http404("This track is not available.")
    return rendition


def serve_rendition(request, rendition: Rendition) -> HttpResponse:
    storage = audio_storage()
    if s3.is_s3(storage) and settings.MEDIA_ACCEL_PREFIX:
        # nginx fetches from S3 itself (an internal location proxying to it), with a URL
        # signed for the address nginx uses; the browser only ever sees our stream URL.
        url = urlsplit(
            s3.presigned_get(
                storage=storage,
                name=rendition.file.name,
                ttl=settings.STREAM_REDIRECT_TTL,
                content_type=rendition.mime_type,
                internal=True,
                disposition=media.disposition(rendition.file.name),
            )
        )
        return _accel_response(f"{url.path}?{url.query}", rendition)
    if s3.is_s3(storage):
        url = s3.presigned_get(
            storage=storage,
            name=rendition.file.name,
            ttl=settings.STREAM_REDIRECT_TTL,
            content_type=rendition.mime_type,
            disposition=media.disposition(rendition.file.name),
        )
        response = HttpResponseRedirect(url)
        response["Cache-Control"] = "private, no-store"
        return response
    if settings.MEDIA_ACCEL_PREFIX:
        return _accel_response("/" + rendition.file.name, rendition)
    response = _ranged_file_response(
        request, storage.path(rendition.file.name), rendition.mime_type
    )
    return media.seal(response, content_type=rendition.mime_type, name=rendition.file.name)


def _accel_response(path: str, rendition: Rendition) -> HttpResponse:
    # nginx keeps these headers on the bytes it sends (deploy/nginx.conf adds them as well).
    response = media.seal(
        HttpResponse(), content_type=rendition.mime_type, name=rendition.file.name
    )
    response["X-Accel-Redirect"] = settings.MEDIA_ACCEL_PREFIX.rstrip("/") + path
    response["Cache-Control"] = "private, no-store"
    return response


def _ranged_file_response(request, path: str, content_type: str) -> HttpResponse:
    size = os.path.getsize(path)
    headers = {
        "Accept-Ranges": "bytes",
        "Cache-Control": "private, max-age=3600",
        "Last-Modified": http_date(os.path.getmtime(path)),
    }
    header = request.headers.get("Range", "")
    if not header:
        response = FileResponse(open(path, "rb"), content_type=content_type)  # noqa: SIM115
        for key, value in headers.items():
            response[key] = value
        return response
    match = _RANGE.match(header.strip())
    start, end = _parse_range(match, size) if match else (None, None)
    if start is None:
        response = HttpResponse(status=416, content_type="text/plain")
        response["Content-Range"] = f"bytes */{size}"
        return response
    handle = open(path, "rb")  # noqa: SIM115 - closed by the response
    handle.seek(start)
    length = end - start + 1
    response = StreamingHttpResponse(
        _limited(handle, length), status=206, content_type=content_type
    )
    response["Content-Length"] = str(length)
    response["Content-Range"] = f"bytes {start}-{end}/{size}"
    for key, value in headers.items():
        response[key] = value
    return response


def _parse_range(match, size: int) -> tuple[int | None, int | None]:
    first, last = match.groups()
    if first == "" and last == "":
        return None, None
    if first == "":  # the final N bytes
        length = int(last)
        if length == 0:
            return None, None
        return max(0, size - length), size - 1
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if start >= size or start > end:
        return None, None
    return start, end


def _limited(handle, length: int, chunk: int = 64 * 1024):
    try:
        while length > 0:
            data = handle.read(min(chunk, length))
            if not data:
                break
            length -= len(data)
            yield data
    finally:
        handle.close()
