"""What a fan bought: their purchases, and signed, expiring download links to the originals.

A download link names the track and the fan, signed and time-stamped (PURCHASE_DOWNLOAD_TTL).
Following it re-checks that this fan still owns the track and that it was not taken down.
"""

from django.conf import settings
from django.core import signing
from django.db.models import Q, QuerySet
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from backstage import s3
from backstage.models import User
from tracks.models import Track, audio_storage

from .models import Purchase

SALT = "payments.download"


def purchases_of(*, fan: User) -> QuerySet[Purchase]:
    """The fan's purchases, newest first, with what the library page shows (two queries)."""
    return (
        Purchase.objects.filter(fan=fan)
        .select_related("payment", "track__artist", "release__artist")
        .prefetch_related("release__tracks")
    )


def owns_track(*, fan: User, track: Track) -> bool:
    """Bought the track itself, or the release it is on."""
    if not fan.is_authenticated:
        return False
    bought = Q(track=track)
    if track.release_id:
        bought |= Q(release_id=track.release_id)
    return Purchase.objects.filter(bought, fan=fan).exists()


def access_download(*, fan: User, public_id: str) -> Track:
    """A track `fan` bought and may download now; Http404 otherwise."""
    track = Track.objects.select_related("artist").filter(public_id=public_id).first()
    if (
        track is None
        or track.is_taken_down
        or not track.original
        or not owns_track(fan=fan, track=track)
    ):
        raise Http404("No such download.")
    return track


def download_url(*, fan: User, track: Track) -> str:
    token = signing.dumps({"t": track.id, "u": fan.id}, salt=SALT, compress=True)
    return reverse("checkout:download_file", kwargs={"token": token})


def track_for_token(token: str, *, fan: User) -> Track:
    """The track a valid, unexpired link names, for the fan it was issued to; Http404 else."""
    try:
        claims = signing.loads(token, salt=SALT, max_age=settings.PURCHASE_DOWNLOAD_TTL)
    except signing.BadSignature as exc:  # includes SignatureExpired
        raise Http404("This download link has expired. Start the download again.") from exc
    if not fan.is_authenticated or claims.get("u") != fan.id:
        raise Http404("No such download.")
    track = Track.objects.filter(id=claims.get("t")).first()
    if track is None:
        raise Http404("No such download.")
    return access_download(fan=fan, public_id=track.public_id)


def serve_original(track: Track) -> HttpResponse:
    storage = audio_storage()
    if s3.is_s3(storage):
        response = HttpResponseRedirect(
            s3.presigned_get(
                storage=storage,
                name=track.original.name,
                ttl=settings.STREAM_REDIRECT_TTL,
                content_type="application/octet-stream",
            )
        )
    else:
        response = FileResponse(
            storage.open(track.original.name, "rb"),
            as_attachment=True,
            filename=track.original_filename or "original",
        )
    response["Cache-Control"] = "private, no-store"
    return response
