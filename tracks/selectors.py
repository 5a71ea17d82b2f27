"""Who may see which music, and the queries pages are built from."""

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404

from artists.models import Artist
from backstage.jsonlists import containing
from backstage.models import User

from .models import PLAYABLE, Release, Track, Upload, Visibility


def _is_owner(user: User | None, artist: Artist) -> bool:
    return bool(user and user.is_authenticated and artist.user_id == user.id)


def _is_staff(user: User | None) -> bool:
    return bool(user and user.is_authenticated and user.is_staff)


def can_see_track(*, user: User | None, track: Track) -> bool:
    """Owners see their own tracks in every state; staff see everything (to moderate).

    Everyone else sees a ready, public or unlisted track that is not taken down, on no release
    or one that is not taken down, and whose artist is not suspended. Unlisted tracks are
    reachable only through their unguessable URL.
    """
    if _is_owner(user, track.artist) or _is_staff(user):
        return True
    return (
        track.is_playable
        and track.visibility != Visibility.PRIVATE
        and not track.artist.is_suspended
        and not (track.release_id and track.release.is_taken_down)
    )


def can_see_release(*, user: User | None, release: Release) -> bool:
    if _is_owner(user, release.artist) or _is_staff(user):
        return True
    return (
        not release.is_taken_down
        and release.visibility != Visibility.PRIVATE
        and not release.artist.is_suspended
    )


def access_track(*, user: User | None, public_id: str, write: bool = False) -> Track:
    """The track if `user` may see it (or edit it, with write=True); Http404 otherwise."""
    track = Track.objects.select_related("artist", "release").filter(public_id=public_id).first()
    if track is None or not can_see_track(user=user, track=track):
        raise Http404("No such track.")
    if write and not _is_owner(user, track.artist):
        raise Http404("No such track.")
    return track


def access_release(*, user: User | None, public_id: str, write: bool = False) -> Release:
    release = Release.objects.select_related("artist").filter(public_id=public_id).first()
    if release is None or not can_see_release(user=user, release=release):
        raise Http404("No such release.")
    if write and not _is_owner(user, release.artist):
        raise Http404("No such release.")
    return release


def with_tag(queryset: QuerySet[Track], tag: str) -> QuerySet[Track]:
    """Tracks tagged `tag` (tags are stored lower-case; backstage/jsonlists.py)."""
    return containing(queryset, "tags", tag)


def listed_tracks() -> QuerySet[Track]:
    """Tracks anyone may find: playable, public, by an artist in good standing, and not on a
    taken-down release (a LEFT JOIN: the condition also holds for tracks on no release)."""
    return Track.objects.filter(
        PLAYABLE,
        visibility=Visibility.PUBLIC,
        artist__is_suspended=False,
        release__taken_down_at__isnull=True,
    ).select_related("artist", "release")


def listed_releases() -> QuerySet[Release]:
    """Public releases anyone may find, with something on them to play (a release whose
    tracks are all still processing, private or taken down is not listed yet)."""
    playable = Track.objects.filter(PLAYABLE, release=OuterRef("pk")).exclude(
        visibility=Visibility.PRIVATE
    )
    return (
        Release.objects.filter(
            visibility=Visibility.PUBLIC, taken_down_at__isnull=True, artist__is_suspended=False
        )
        .filter(Exists(playable))
        .select_related("artist")
    )


def release_tracks(*, user: User | None, release: Release) -> list[Track]:
    """A release's tracks in order, as `user` may see them."""
    tracks = release.tracks.select_related("artist", "release").order_by("position", "id")
    if _is_owner(user, release.artist) or _is_staff(user):
        return list(tracks)
    return list(tracks.filter(PLAYABLE).exclude(visibility=Visibility.PRIVATE))


def artist_page(*, user: User | None, artist: Artist) -> dict:
    """Releases and loose tracks on an artist's page (everything, for its owner)."""
    owner = _is_owner(user, artist)
    releases = Release.objects.filter(artist=artist)
    singles = Track.objects.filter(artist=artist, release__isnull=True).select_related("artist")
    if not owner:
        releases = releases.filter(visibility=Visibility.PUBLIC, taken_down_at__isnull=True)
        singles = singles.filter(PLAYABLE, visibility=Visibility.PUBLIC)
        visible = Q(
            tracks__status=Track.Status.READY,
            tracks__taken_down_at__isnull=True,
            tracks__visibility__in=[Visibility.PUBLIC, Visibility.UNLISTED],
        )
        releases = releases.filter(visible).distinct()
    playable_in_release = Track.objects.filter(PLAYABLE).order_by("position", "id")
    if not owner:
        playable_in_release = playable_in_release.exclude(visibility=Visibility.PRIVATE)
    releases = releases.prefetch_related(
        Prefetch(
            "tracks",
            queryset=playable_in_release.select_related("artist"),
            to_attr="playable_tracks",
        )
    )
    return {
        "releases": list(releases),
        "singles": list(singles.order_by("-created_at")),
        "is_owner": owner,
    }


def studio(*, artist: Artist) -> dict:
    """Everything an artist has uploaded, in every state, for their own dashboard."""
    return {
        "releases": list(Release.objects.filter(artist=artist).prefetch_related("tracks")),
        "tracks": list(
            Track.objects.filter(artist=artist)
            .select_related("artist", "release")
            .order_by("-created_at")
        ),
    }


def access_upload(*, user: User, upload_id) -> Upload:
    upload = (
        Upload.objects.select_related("artist", "release").filter(id=upload_id, user=user).first()
    )
    if upload is None:
        raise Http404("No such upload.")
    return upload
