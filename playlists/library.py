"""The Library page's queries: what a listener saved, follows and plays, sorted and filtered.

Every list is one query (plus the paginator's count), whatever its length."""

from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db.models import Q, QuerySet, Value
from django.db.models.functions import Coalesce, Lower, NullIf

from analytics.selectors import recently_played
from artists.models import Follow
from backstage.models import User
from tracks.models import Visibility
from tracks.selectors import can_see_track

from .models import SavedRelease, SavedTrack
from .selectors import editable_playlists, followed_playlists, with_mosaics

LIBRARY_PAGE_SIZE = 50
SORTS = ("recent", "title", "artist")


@dataclass(frozen=True)
class Section:
    key: str
    label: str


SECTIONS = (
    Section("tracks", "Saved tracks"),
    Section("releases", "Saved releases"),
    Section("artists", "Artists you follow"),
    Section("playlists", "Your playlists"),
    Section("following", "Playlists you follow"),
    Section("recent", "Recently played"),
)
SECTION_KEYS = {section.key for section in SECTIONS}

# Per section: the field each sort orders by, and the fields the text filter searches.
ORDERING = {
    "tracks": {"recent": "-created_at", "title": "track__title", "artist": "track__artist__name"},
    "releases": {
        "recent": "-created_at",
        "title": "release__title",
        "artist": "release__artist__name",
    },
    "artists": {"recent": "-created_at", "title": "artist__name", "artist": "artist__name"},
    "playlists": {"recent": "-updated_at", "title": "title", "artist": "owner_name"},
    "following": {"recent": "-follows__created_at", "title": "title", "artist": "owner_name"},
}
# What tiles show as the owner (User.name): the display name, else the username.
OWNER_NAME = Coalesce(NullIf("owner__display_name", Value("")), "owner__username")
SEARCH = {
    "tracks": ("track__title", "track__artist__name"),
    "releases": ("release__title", "release__artist__name"),
    "artists": ("artist__name",),
    "playlists": ("title", "owner__username", "owner__display_name"),
    "following": ("title", "owner__username", "owner__display_name"),
}


def _hidden_track(prefix: str, user: User) -> Q:
    """Tracks a listener may no longer hear (the artist still sees their own)."""
    hidden = ~Q(**{f"{prefix}status": "ready"}) | Q(**{f"{prefix}taken_down_at__isnull": False})
    hidden |= Q(**{f"{prefix}visibility": Visibility.PRIVATE})
    hidden |= Q(**{f"{prefix}artist__is_suspended": True})
    return hidden & ~Q(**{f"{prefix}artist__user": user})


def _base(section: str, user: User) -> QuerySet:
    if section == "tracks":
        saved = SavedTrack.objects.filter(user=user).select_related(
            "track__artist", "track__release"
        )
        return saved.exclude(_hidden_track("track__", user))
    if section == "releases":
        hidden = Q(release__taken_down_at__isnull=False)
        hidden |= Q(release__visibility=Visibility.PRIVATE)
        hidden |= Q(release__artist__is_suspended=True)
        return (
            SavedRelease.objects.filter(user=user)
            .select_related("release__artist")
            .exclude(hidden & ~Q(release__artist__user=user))
        )
    if section == "artists":
        return Follow.objects.filter(user=user, artist__is_suspended=False).select_related("artist")
    if section == "playlists":
        return editable_playlists(user=user).select_related("owner")
    return followed_playlists(user=user)


def _filtered(section: str, rows, query: str):
    if not query:
        return rows
    if section == "recent":
        needle = query.casefold()
        return [
            t for t in rows if needle in t.title.casefold() or needle in t.artist.name.casefold()
        ]
    match = Q()
    for field in SEARCH[section]:
        match |= Q(**{f"{field}__icontains": query})
    return rows.filter(match)


def _sorted(section: str, rows, sort: str):
    if section == "recent":
        if sort == "title":
            return sorted(rows, key=lambda t: t.title.casefold())
        if sort == "artist":
            return sorted(rows, key=lambda t: t.artist.name.casefold())
        return rows
    if section in ("playlists", "following"):
        rows = rows.annotate(owner_name=OWNER_NAME)
    field = ORDERING[section][sort]
    if field.startswith("-"):  # newest first
        return rows.order_by(field, "pk")
    return rows.order_by(Lower(field), "pk")  # A to Z whatever the case (or the collation)


def library_page(*, user: User, section: str, sort: str, query: str, page) -> dict:
    """One page of one Library section. Unknown sections and sorts fall back to the defaults."""
    section = section if section in SECTION_KEYS else "tracks"
    sort = sort if sort in SORTS else "recent"
    query = query.strip()[:100]
    if section == "recent":
        played = recently_played(user=user, limit=50)
        rows = [t for t in played if can_see_track(user=user, track=t)]
    else:
        rows = _base(section, user)
    rows = _sorted(section, _filtered(section, rows, query), sort)
    page = Paginator(rows, LIBRARY_PAGE_SIZE).get_page(page)
    if section in ("playlists", "following"):
        page.object_list = with_mosaics(page.object_list)
    return {
        "section": section,
        "sort": sort,
        "query": query,
        "page": page,
        "sections": SECTIONS,
        "sorts": SORTS,
    }
