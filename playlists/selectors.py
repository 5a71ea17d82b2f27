"""Who may see and change which playlist, and the queries library and playlist pages use."""

from django.core.paginator import Paginator
from django.db.models import (
    Prefetch,
    Q,
    QuerySet,
    Sum,
    prefetch_related_objects,
)
from django.http import Http404

from artists.models import Follow
from backstage.models import User
from tracks.models import Track, Visibility

from .models import Collaborator, Playlist, PlaylistFollow, PlaylistItem

PAGE_SIZE = 100


def _signed_in(user: User | None) -> bool:
    return bool(user and user.is_authenticated)


def is_owner(*, user: User | None, playlist: Playlist) -> bool:
    return _signed_in(user) and playlist.owner_id == user.id


def _invited(user: User | None, playlist: Playlist, *, accepted: bool) -> bool:
    if not _signed_in(user):
        return False
    return Collaborator.objects.filter(
        playlist=playlist, user=user, accepted_at__isnull=not accepted
    ).exists()


def is_collaborator(*, user: User | None, playlist: Playlist) -> bool:
    """Invited and accepted."""
    return _invited(user, playlist, accepted=True)


def is_invited(*, user: User | None, playlist: Playlist) -> bool:
    """Invited, not answered yet."""
    return _invited(user, playlist, accepted=False)


def can_edit(*, user: User | None, playlist: Playlist) -> bool:
    """Add and reorder tracks: the owner and invited collaborators (not on a taken-down list,
    nor on a suspended owner's)."""
    if playlist.is_hidden:
        return False
    return is_owner(user=user, playlist=playlist) or is_collaborator(user=user, playlist=playlist)


def can_see(*, user: User | None, playlist: Playlist) -> bool:
    """Public and unlisted playlists for everyone (unlisted: by link); private ones for owner and
    collaborators. Taken-down playlists, and those of a suspended owner, only for their owner
    and staff."""
    if _signed_in(user) and user.is_staff:
        return True
    if playlist.is_hidden:
        return is_owner(user=user, playlist=playlist)
    if playlist.visibility != Visibility.PRIVATE:
        return True
    if is_owner(user=user, playlist=playlist):
        return True
    # Collaborators, and invitees deciding whether to become one.
    return _signed_in(user) and Collaborator.objects.filter(playlist=playlist, user=user).exists()


def access_playlist(
    *, user: User | None, public_id: str, edit: bool = False, own: bool = False
) -> Playlist:
    """The playlist if `user` may see it (add/reorder with edit=True, change it with own=True);
    Http404 otherwise, so private playlists are indistinguishable from missing ones."""
    playlist = Playlist.objects.select_related("owner").filter(public_id=public_id).first()
    if playlist is None or not can_see(user=user, playlist=playlist):
        raise Http404("No such playlist.")
    if own and not is_owner(user=user, playlist=playlist):
        raise Http404("No such playlist.")
    if edit and not can_edit(user=user, playlist=playlist):
        raise Http404("No such playlist.")
    return playlist


def _hidden_item() -> Q:
    """Items whose track a listener may not hear (taken down itself or with its release, made
    private, suspended artist)."""
    hidden = ~Q(track__status="ready") | Q(track__taken_down_at__isnull=False)
    hidden |= Q(track__release__taken_down_at__isnull=False)
    return hidden | Q(track__visibility=Visibility.PRIVATE) | Q(track__artist__is_suspended=True)


def visible_items(*, user: User | None, playlist: Playlist) -> QuerySet[PlaylistItem]:
    """The playlist's items in order, without tracks `user` may not hear (taken down, made
    private, suspended artist) — except the track's own artist, who sees their own."""
    items = playlist.items.select_related("track__artist", "track__release").order_by("rank")
    hidden = _hidden_item()
    if _signed_in(user) and user.is_staff:
        return items
    if _signed_in(user):
        return items.exclude(hidden & ~Q(track__artist__user=user))
    return items.exclude(hidden)


def items_page(*, user: User | None, playlist: Playlist, page: int | str | None = 1):
    """One page of items (PAGE_SIZE per page): a 10,000-track playlist renders as fast as a
    short one."""
    return Paginator(visible_items(user=user, playlist=playlist), PAGE_SIZE).get_page(page)


def playlists_of(*, owner: User, viewer: User | None) -> QuerySet[Playlist]:
    """`owner`'s playlists as `viewer` may list them: all of them for the owner, else public."""
    playlists = Playlist.objects.filter(owner=owner).select_related("owner")
    if not is_self(owner, viewer):
        playlists = playlists.filter(
            visibility=Visibility.PUBLIC, taken_down_at__isnull=True, owner__suspended_at=None
        )
    return playlists


def is_self(owner: User, viewer: User | None) -> bool:
    return _signed_in(viewer) and viewer.id == owner.id


def editable_playlists(*, user: User) -> QuerySet[Playlist]:
    """Playlists `user` can add to: their own and those they collaborate on."""
    return (
        Playlist.objects.filter(
            Q(owner=user) | Q(collaborator__user=user, collaborator__accepted_at__isnull=False)
        )
        .filter(taken_down_at__isnull=True)
        .exclude(~Q(owner=user), owner__suspended_at__isnull=False)  # can_edit says no
        .distinct()
        .order_by("-updated_at")
    )


def followed_playlists(*, user: User) -> QuerySet[Playlist]:
    return (
        Playlist.objects.filter(
            follows__user=user, taken_down_at__isnull=True, owner__suspended_at=None
        )
        .exclude(visibility=Visibility.PRIVATE)
        .select_related("owner")
        .order_by("-follows__created_at")
    )


def is_following(*, user: User | None, playlist: Playlist) -> bool:
    return _signed_in(user) and PlaylistFollow.objects.filter(user=user, playlist=playlist).exists()


def access_item(*, user: User | None, playlist: Playlist, item_id: int) -> PlaylistItem:
    """An item `user` may remove: the owner removes any, a collaborator the ones they added.
    Http404 otherwise (the caller has already checked `access_playlist(edit=True)`)."""
    item = PlaylistItem.objects.filter(playlist=playlist, id=item_id).first()
    if item is None:
        raise Http404("That track is not in this playlist.")
    if not is_owner(user=user, playlist=playlist) and item.added_by_id != user.id:
        raise Http404("That track is not in this playlist.")
    return item


def track_for_adding(*, public_id: str) -> Track:
    """The track a listener asked to add, whatever its state: services.add_tracks decides
    (with a message) whether it may go in. Http404 only when no such track exists."""
    track = Track.objects.select_related("artist", "release").filter(public_id=public_id).first()
    if track is None:
        raise Http404("No such track.")
    return track


def page_edges(*, user: User | None, playlist: Playlist, page) -> tuple[list[int], int | None]:
    """The ids of the (up to) two items just above `page` and of the one just below it, so the
    move buttons and a drop at the top of a page can cross into the neighbouring pages.
    One query (ids only) on every page, so the count does not depend on the page."""
    first = max(0, page.start_index() - 1)  # 0-based index of the page's first item
    low = max(0, first - 2)
    ids = list(
        visible_items(user=user, playlist=playlist).values_list("id", flat=True)[
            low : first + len(page.object_list) + 1
        ]
    )
    above = ids[: first - low]
    rest = ids[first - low + len(page.object_list) :]
    return above, (rest[0] if rest else None)


def cover_mosaic(*, user: User | None, playlist: Playlist) -> list:
    """Four distinct covers of the first tracks for a 2×2 mosaic; with one to three, just the
    first (it fills the square alone); none when no track has a cover."""
    return _four_covers(visible_items(user=user, playlist=playlist)[:60])


def _four_covers(items) -> list:
    covers, seen = [], set()
    for item in items:
        cover = item.track.display_cover
        if cover and cover.name not in seen:
            seen.add(cover.name)
            covers.append(cover)
        if len(covers) == 4:
            return covers
    return covers[:1]


def with_mosaics(playlists) -> list[Playlist]:
    """The playlists, each with `.mosaic` (see cover_mosaic) made of tracks anyone may hear,
    all from ONE query (a sliced prefetch: a window function per playlist)."""
    playlists = list(playlists)
    first_items = (
        PlaylistItem.objects.exclude(_hidden_item())
        .select_related("track__release")
        .order_by("rank")
    )
    prefetch_related_objects(
        [p for p in playlists if not p.cover],
        Prefetch("items", queryset=first_items[:12], to_attr="first_items"),
    )
    for playlist in playlists:
        playlist.mosaic = _four_covers(getattr(playlist, "first_items", []))
    return playlists


def first_cover(*, playlist: Playlist):
    """The cover of the first track anyone may hear: a coverless playlist's picture on share
    cards, oEmbed and embeds (which are rendered for nobody in particular)."""
    covers = cover_mosaic(user=None, playlist=playlist)
    return covers[0] if covers else None


def total_seconds(*, user: User | None, playlist: Playlist) -> float:
    result = visible_items(user=user, playlist=playlist).aggregate(total=Sum("track__duration"))
    return result["total"] or 0


def collaborators_of(*, playlist: Playlist, pending: bool = False) -> list[User]:
    """Who collaborates on the playlist (with pending=True: who was invited, no answer yet)."""
    return list(
        User.objects.filter(
            collaborator__playlist=playlist, collaborator__accepted_at__isnull=pending
        ).order_by("collaborator__added_at")
    )


def invitations_for(*, user: User) -> QuerySet[Playlist]:
    """Playlists `user` was invited to and has not answered."""
    return (
        Playlist.objects.filter(
            collaborator__user=user,
            collaborator__accepted_at__isnull=True,
            taken_down_at__isnull=True,
            owner__suspended_at=None,
        )
        .select_related("owner")
        .order_by("-collaborator__added_at")
    )


def find_user(*, name_or_email: str) -> User | None:
    """A user by username or e-mail address (case-insensitive), for invitations."""
    text = name_or_email.strip()
    if not text:
        return None
    return User.objects.filter(Q(username__iexact=text) | Q(email__iexact=text)).first()


def access_profile(*, viewer: User | None, username: str) -> User:
    """A fan's public page: Http404 when they turned it off or were suspended (except for
    themselves and, for a suspended person, staff)."""
    person = User.objects.filter(username=username, is_active=True).first()
    if person is None:
        raise Http404("No such profile.")
    if is_self(person, viewer):
        return person
    staff = _signed_in(viewer) and viewer.is_staff
    if not person.public_profile or (person.is_suspended and not staff):
        raise Http404("No such profile.")
    return person


def followed_artists(*, user: User) -> QuerySet:
    """The artists `user` follows (their Follow rows, newest first), suspended ones left out."""
    return (
        Follow.objects.filter(user=user, artist__is_suspended=False)
        .select_related("artist")
        .order_by("-created_at")
    )
