"""The signed-in listener's home feed: what is new from the artists and playlists they follow.

A fixed number of queries whatever the number of follows (subqueries, not loops), and only what
anyone may see: listed releases and singles, public or unlisted playlists not taken down.
"""

from datetime import timedelta

from django.db.models import Count, F, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from artists.models import Announcement, Follow
from backstage.models import User
from backstage.search import findable
from credits.selectors import credits_any_of
from playlists.models import PlaylistFollow, PlaylistItem
from playlists.selectors import followed_playlists
from tracks.selectors import listed_tracks

NEW_MUSIC_DAYS = 60
CHANGED_PLAYLIST_DAYS = 30


def _published_at(kind: str):
    """When music became listed: its announcement (an old private release made public today is
    new today), else when it was created (music from before announcements existed)."""
    announced = Announcement.objects.filter(**{kind: OuterRef("pk")}).values("created_at")[:1]
    return Coalesce(Subquery(announced), F("created_at"))


def new_from_followed(*, user: User, limit: int = 12) -> dict:
    """Releases and singles (tracks without a release) by followed artists, or crediting one of
    them (a confirmed credit on the release, one of its tracks or the single), newest first,
    each with `published_at`."""
    since = timezone.now() - timedelta(days=NEW_MUSIC_DAYS)
    followed = Follow.objects.filter(user=user).values("artist_id")
    releases = (
        findable("releases")
        .filter(Q(artist_id__in=followed) | credits_any_of("release", followed))
        .annotate(published_at=_published_at("release"))
        .filter(published_at__gte=since)
        .order_by("-published_at")[:limit]
    )
    singles = (
        listed_tracks()
        .filter(Q(artist_id__in=followed) | credits_any_of("track", followed))
        .filter(release__isnull=True)
        .annotate(published_at=_published_at("track"))
        .filter(published_at__gte=since)
        .order_by("-published_at")[:limit]
    )
    return {"releases": list(releases), "singles": list(singles)}


def changed_playlists(*, user: User, limit: int = 6) -> list:
    """Followed playlists changed since they were followed (and lately), each with
    `new_tracks`: how many tracks were added in that time."""
    since = timezone.now() - timedelta(days=CHANGED_PLAYLIST_DAYS)
    followed_at = PlaylistFollow.objects.filter(user=user, playlist=OuterRef("pk")).values(
        "created_at"
    )[:1]
    added = (
        PlaylistItem.objects.filter(
            playlist=OuterRef("pk"), added_at__gt=OuterRef("followed_at"), added_at__gte=since
        )
        .order_by()
        .values("playlist")
        .annotate(n=Count("id"))
        .values("n")
    )
    return list(
        followed_playlists(user=user)
        .annotate(followed_at=Subquery(followed_at))
        .filter(updated_at__gte=since, updated_at__gt=F("followed_at"))
        .annotate(new_tracks=Coalesce(Subquery(added, output_field=IntegerField()), 0))
        .order_by("-updated_at")[:limit]
    )


def home_feed(*, user: User) -> dict:
    return {
        "follows_artists": Follow.objects.filter(user=user).exists(),
        **new_from_followed(user=user),
        "changed_playlists": changed_playlists(user=user),
    }
