"""Playing a call's reference track: a private or unlisted upload its poster shares with the
call's applicants, and nobody else.

The track's own pages and /track/<id>/play keep refusing applicants (tracks.selectors is not
widened). Instead, a call hands out its own short-lived signed stream URLs, naming the call,
the rendition and the listener; every request re-checks that the listener is still the poster
or an applicant, that the track is still the call's reference and still playable. The bytes
are then served exactly as the track's own streams are (tracks.streaming.serve_rendition)."""

from django.conf import settings
from django.core import signing
from django.http import Http404
from django.urls import reverse

from backstage.models import User
from tracks.models import Rendition
from tracks.streaming import PREFERRED_ORDER

from .models import Call
from .selectors import can_hear_reference

SALT = "collab.reference"


def reference_sources(*, call: Call, user: User) -> list[dict]:
    """Signed URLs of the reference track's renditions, best first, for `user`."""
    renditions = sorted(
        call.reference_track.renditions.all(), key=lambda r: PREFERRED_ORDER.index(r.format)
    )
    return [
        {
            "src": reverse(
                "collab:reference_stream",
                kwargs={
                    "token": signing.dumps(
                        {"c": call.id, "r": r.id, "u": user.id}, salt=SALT, compress=True
                    )
                },
            ),
            "type": r.mime_type,
        }
        for r in renditions
    ]


def rendition_for_token(token: str, *, user: User) -> Rendition:
    """The rendition a valid token names, if `user` is the listener it was issued to and may
    still hear the call's reference track; Http404 otherwise."""
    try:
        claims = signing.loads(token, salt=SALT, max_age=settings.STREAM_URL_TTL)
    except signing.BadSignature as exc:  # includes SignatureExpired
        raise Http404("This stream link has expired. Press play again.") from exc
    if not user.is_authenticated or claims.get("u") != user.id:
        raise Http404("This track is not available.")
    call = (
        Call.objects.select_related("poster", "reference_track__artist", "reference_track__release")
        .filter(id=claims.get("c"))
        .first()
    )
    if call is None or not can_hear_reference(user=user, call=call):
        raise Http404("This track is not available.")
    rendition = Rendition.objects.filter(
        id=claims.get("r"), track_id=call.reference_track_id
    ).first()
    if rendition is None:
        raise Http404("This track is not available.")
    return rendition
