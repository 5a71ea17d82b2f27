"""Reads of the board and the directory, and who may see or hear what."""

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from artists.models import Artist
from artists.skills import normalise_genre
from backstage.jsonlists import containing
from backstage.models import User
from messaging.selectors import blocked_between
from tracks.models import PLAYABLE, Track, Visibility
from tracks.selectors import listed_tracks

from .models import Application, Call, today

PAGE_SIZE = 20
MAX_QUERY = 100


# --- The directory -----------------------------------------------------------------------------


def directory(
    *, q: str = "", skill: str = "", genre: str = "", location: str = "", open_now: bool = False
) -> QuerySet[Artist]:
    """Artists in good standing matching every filter given; open to collaborate first."""
    artists = Artist.objects.filter(is_suspended=False)
    if q := q.strip()[:MAX_QUERY]:
        artists = artists.filter(Q(name__icontains=q) | Q(bio__icontains=q))
    if skill:
        artists = containing(artists, "skills", skill)
    if genre := normalise_genre(genre):
        artists = containing(artists, "genres", genre)
    if location := location.strip()[:MAX_QUERY]:
        artists = artists.filter(location__icontains=location)
    if open_now:
        artists = artists.filter(open_to_collab=True)
    return artists.order_by("-open_to_collab", "name", "id")


# --- Calls -------------------------------------------------------------------------------------


def _visible_calls() -> QuerySet[Call]:
    return Call.objects.filter(poster__is_suspended=False).select_related("poster")


def open_calls(*, skill: str = "", genre: str = "", compensation: str = "") -> QuerySet[Call]:
    """Calls taking answers now (not closed, deadline not passed), newest first."""
    calls = _visible_calls().filter(status=Call.Status.OPEN, deadline__gte=today())
    if skill:
        calls = containing(calls, "skills", skill)
    if genre := normalise_genre(genre):
        calls = calls.filter(genre=genre)
    if compensation:
        calls = calls.filter(compensation=compensation)
    return calls


def calls_of(*, artist: Artist) -> QuerySet[Call]:
    """An artist's own calls, every state, with how many answers wait for a decision."""
    return (
        Call.objects.filter(poster=artist)
        .select_related("poster")
        .annotate(
            answers=Count("applications"),
            waiting=Count("applications", filter=Q(applications__status__in=Application.UNDECIDED)),
        )
    )


def applications_of(*, artist: Artist) -> QuerySet[Application]:
    """The answers an artist sent, newest first (calls of suspended posters left out)."""
    return (
        Application.objects.filter(applicant=artist, call__poster__is_suspended=False)
        .select_related("call__poster")
        .order_by("-created_at", "-id")
    )


def access_call(*, user: User | None, call_id: int) -> Call:
    """A call `user` may read; Http404 for unknown calls and those of suspended artists
    (except for their poster and staff)."""
    call = (
        Call.objects.select_related("poster", "reference_track__artist", "reference_track__release")
        .filter(id=call_id)
        .first()
    )
    if call is None:
        raise Http404("No such call.")
    if call.poster.is_suspended and not (
        user and user.is_authenticated and (user.is_staff or call.poster.user_id == user.id)
    ):
        raise Http404("No such call.")
    return call


def access_own_call(*, user: User, call_id: int) -> Call:
    """A call `user` posted; Http404 for everyone else, so others cannot tell it apart from a
    missing one."""
    call = access_call(user=user, call_id=call_id)
    if not user.is_authenticated or call.poster.user_id != user.id:
        raise Http404("No such call.")
    return call


def access_application(*, user: User, application_id: int) -> Application:
    """An answer to one of `user`'s calls; Http404 for anyone but that call's poster."""
    if not user.is_authenticated:
        raise Http404("No such answer.")
    application = (
        Application.objects.select_related("call__poster", "applicant__user")
        .filter(id=application_id, call__poster__user=user)
        .first()
    )
    if application is None:
        raise Http404("No such answer.")
    return application


def _with_tracks(applications: QuerySet[Application]) -> QuerySet[Application]:
    """Linked tracks that are still listed (one made private since is not shown)."""
    return applications.select_related("applicant").prefetch_related(
        Prefetch("tracks", queryset=listed_tracks().order_by("title"), to_attr="listed")
    )


def call_page(*, artist: Artist | None, call: Call) -> dict:
    """What a call's page shows `artist`: the answers (to its poster only), or their own."""
    is_poster = artist is not None and call.poster_id == artist.id
    applications, mine = [], None
    if is_poster:
        applications = list(_with_tracks(call.applications.filter(applicant__is_suspended=False)))
    elif artist is not None:
        mine = _with_tracks(call.applications.filter(applicant=artist)).first()
    return {
        "call": call,
        "is_poster": is_poster,
        "applications": applications,
        "mine": mine,
        "can_hear_reference": (is_poster and _reference_playable(call))
        or (mine is not None and can_hear_reference(user=artist.user, call=call)),
    }


# --- Tracks a call or an answer may name -------------------------------------------------------


def reference_choices(*, artist: Artist) -> QuerySet[Track]:
    """The artist's own private or unlisted tracks ready to play: what a call may share with
    its applicants (public tracks need no call to be heard)."""
    return (
        Track.objects.filter(
            PLAYABLE,
            artist=artist,
            visibility__in=[Visibility.PRIVATE, Visibility.UNLISTED],
            release__taken_down_at__isnull=True,
        )
        .select_related("artist")
        .order_by("-created_at")
    )


def answer_track_choices(*, artist: Artist) -> QuerySet[Track]:
    """The artist's own listed tracks: what an answer may link to."""
    return listed_tracks().filter(artist=artist).order_by("-created_at")


def _reference_playable(call: Call) -> bool:
    track = call.reference_track
    return bool(
        track
        and track.artist_id == call.poster_id
        and track.is_playable
        and not track.artist.is_suspended
        and not (track.release_id and track.release.is_taken_down)
    )


def can_hear_reference(*, user: User | None, call: Call) -> bool:
    """The reference track is heard by the call's poster, and by its applicants who are in
    good standing, were not declined, and neither blocked nor were blocked by the poster —
    while the poster may still decide (the call is open, or closed within its grace period)."""
    if not (user and user.is_authenticated and _reference_playable(call)):
        return False
    if call.poster.user_id == user.id:
        return True
    if not call.takes_decisions:
        return False
    if blocked_between(user_a=call.poster.user, user_b=user):
        return False
    return (
        Application.objects.filter(call=call, applicant__user=user, applicant__is_suspended=False)
        .exclude(status=Application.Status.DECLINED)
        .exists()
    )
