"""What a fan bought: their purchases, and signed, expiring download links in two formats.

A buyer downloads the original as uploaded (lossless when it was FLAC, WAV, ALAC…) or the MP3
the audio pipeline made (tracks.Rendition). A download link names the track, the format and the
fan, signed and time-stamped (PURCHASE_DOWNLOAD_TTL). Following it re-checks that this fan still
owns the track (a full refund or a dispute ends that), that it was not taken down and that the
file exists.
"""

import posixpath
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db.models import Prefetch, Q, QuerySet
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.text import slugify

from backstage import media, s3
from backstage.models import User
from tracks.models import Rendition, Track, audio_storage

from .models import Payment, Purchase

SALT = "payments.download"
ORIGINAL, MP3 = "original", "mp3"
FORMATS = (ORIGINAL, MP3)
# ffprobe's codec names of lossless audio (PCM: pcm_s16le, pcm_s24le, … in WAV and AIFF).
LOSSLESS_CODECS = {"flac", "alac", "wavpack", "ape", "tta", "mlp", "truehd"}


def is_lossless(track: Track) -> bool:
    return track.codec in LOSSLESS_CODECS or track.codec.startswith("pcm_")


@dataclass(frozen=True)
class Choice:
    format: str
    label: str


def _mp3_rendition(track: Track) -> Rendition | None:
    """Its MP3, from the prefetched renditions when there are (no query per track then)."""
    return next((r for r in track.renditions.all() if r.format == Rendition.Format.MP3), None)


def choices(track: Track) -> list[Choice]:
    """The formats `track` can be downloaded in: its original (labelled lossless when it is)
    and its MP3, when the pipeline made one."""
    result = []
    if track.original:
        extension = posixpath.splitext(track.original_filename)[1].lstrip(".").upper()
        kind = "lossless" if is_lossless(track) else "original"
        result.append(Choice(ORIGINAL, f"{extension or 'Original'} ({kind})"))
    if _mp3_rendition(track) is not None:
        result.append(Choice(MP3, Rendition.Format.MP3.label))
    return result


_TRACKS = Track.objects.prefetch_related("renditions")


def purchases_of(*, fan: User) -> QuerySet[Purchase]:
    """The fan's purchases, newest first, with what the library page shows (four queries):
    a refunded or disputed one too, which the page shows without downloads."""
    return (
        Purchase.objects.filter(fan=fan)
        .select_related("payment", "track__artist", "release__artist")
        .prefetch_related("track__renditions", Prefetch("release__tracks", queryset=_TRACKS))
    )


def _owned(*, fan: User) -> QuerySet[Purchase]:
    # A purchase fully refunded or disputed (payment no longer "paid") unlocks nothing.
    return Purchase.objects.filter(fan=fan, payment__status=Payment.Status.PAID)


def owns_track(*, fan: User, track: Track) -> bool:
    """Bought the track itself, or the release it is on, and was not refunded."""
    if not fan.is_authenticated:
        return False
    bought = Q(track=track)
    if track.release_id:
        bought |= Q(release_id=track.release_id)
    return _owned(fan=fan).filter(bought).exists()


def owns_release(*, fan: User, release_id: int) -> bool:
    return fan.is_authenticated and _owned(fan=fan).filter(release_id=release_id).exists()


def access_download(*, fan: User, public_id: str, fmt: str = ORIGINAL) -> Track:
    """A track `fan` bought and may download now in `fmt`; Http404 otherwise."""
    track = (
        Track.objects.select_related("artist", "release")
        .prefetch_related("renditions")
        .filter(public_id=public_id)
        .first()
    )
    if (
        track is None
        or track.is_taken_down
        or (track.release_id and track.release.is_taken_down)
        or fmt not in {choice.format for choice in choices(track)}
        or not owns_track(fan=fan, track=track)
    ):
        raise Http404("No such download.")
    return track


def download_url(*, fan: User, track: Track, fmt: str = ORIGINAL) -> str:
    token = signing.dumps({"t": track.id, "u": fan.id, "f": fmt}, salt=SALT, compress=True)
    return reverse("checkout:download_file", kwargs={"token": token})


def file_for_token(token: str, *, fan: User) -> tuple[Track, str]:
    """The track and format a valid, unexpired link names, for the fan it was issued to;
    Http404 else."""
    try:
        claims = signing.loads(token, salt=SALT, max_age=settings.PURCHASE_DOWNLOAD_TTL)
    except signing.BadSignature as exc:  # includes SignatureExpired
        raise Http404("This download link has expired. Start the download again.") from exc
    if not fan.is_authenticated or claims.get("u") != fan.id:
        raise Http404("No such download.")
    track = Track.objects.filter(id=claims.get("t")).first()
    fmt = claims.get("f", ORIGINAL)  # links made before there was a choice: the original
    if track is None or fmt not in FORMATS:
        raise Http404("No such download.")
    return access_download(fan=fan, public_id=track.public_id, fmt=fmt), fmt


def _filename(track: Track, fmt: str) -> str:
    if fmt == ORIGINAL:
        return track.original_filename or "original"
    stem = posixpath.splitext(track.original_filename)[0] or slugify(track.title) or "track"
    return f"{stem}.mp3"


def serve_file(track: Track, fmt: str = ORIGINAL) -> HttpResponse:
    """The file as an attachment (Content-Disposition), straight from S3 when media is there."""
    if fmt == MP3:
        name, content_type = _mp3_rendition(track).file.name, "audio/mpeg"
    else:
        name, content_type = track.original.name, "application/octet-stream"
    filename = _filename(track, fmt)
    storage = audio_storage()
    if s3.is_s3(storage):
        response = HttpResponseRedirect(
            s3.presigned_get(
                storage=storage,
                name=name,
                ttl=settings.STREAM_REDIRECT_TTL,
                content_type=content_type,
                disposition=media.disposition(filename, attachment=True),
            )
        )
    else:
        response = media.seal(
            FileResponse(storage.open(name, "rb")),
            content_type=content_type,
            name=filename,
            attachment=True,
        )
    response["Cache-Control"] = "private, no-store"
    return response
