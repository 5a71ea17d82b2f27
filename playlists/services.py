"""Every write to playlists and libraries. Callers have checked access through selectors
(`access_playlist(edit=True)` for adding and moving, `own=True` for everything else)."""

from django.db import transaction
from django.utils import timezone

from analytics import engagement
from backstage.models import User
from backstage.rows import toggle_row
from backstage.suspension import ensure_not_suspended
from tracks.models import Release, Track
from tracks.selectors import can_see_release, can_see_track

from . import ranking
from .models import (
    MAX_ITEMS,
    Collaborator,
    Playlist,
    PlaylistFollow,
    PlaylistItem,
    SavedRelease,
    SavedTrack,
)

PLAYLIST_FIELDS = ("title", "description", "visibility", "cover")


class PlaylistError(Exception):
    """A change that cannot be made, with a message for the person who asked."""


def create_playlist(*, owner: User, title: str, **fields) -> Playlist:
    ensure_not_suspended(owner)
    playlist = Playlist(owner=owner, title=title)
    for name, value in fields.items():
        if name in PLAYLIST_FIELDS:
            setattr(playlist, name, value)
    playlist.save()
    return playlist


def update_playlist(*, playlist: Playlist, **fields) -> Playlist:
    ensure_not_suspended(playlist.owner)
    for name, value in fields.items():
        if name in PLAYLIST_FIELDS:
            setattr(playlist, name, value)
    playlist.save()
    return playlist


def delete_playlist(*, playlist: Playlist) -> None:
    """Delete a playlist; its items leave the playlist-add counts in one statement."""
    with transaction.atomic():
        engagement.count_rows(playlist.items.all(), sign=-1)
        with engagement.muted(PlaylistItem):
            playlist.delete()


def _locked(playlist: Playlist) -> Playlist:
    """The playlist row, locked until the transaction ends. Every change to a playlist's items
    takes this lock first, so two collaborators moving or adding at the same moment run one
    after the other and each sees the other's result (no lost move, no two items on one rank)."""
    return Playlist.objects.select_for_update().get(pk=playlist.pk)


def _touch(playlist: Playlist) -> None:
    """Note a change to the items: a fresh count (an index-only COUNT, under the playlist lock)
    rather than +1/-1, so a count left stale by a track's deletion heals itself."""
    playlist.item_count = playlist.items.count()
    playlist.updated_at = timezone.now()
    playlist.save(update_fields=["item_count", "updated_at"])


def _check_addable(*, track: Track, by: User) -> None:
    if not can_see_track(user=by, track=track) or track.artist.is_suspended:
        raise PlaylistError("That track is not available.")
    if not track.is_playable:
        raise PlaylistError("That track cannot be played right now, so it cannot be added.")


def add_tracks(*, playlist: Playlist, tracks: list[Track], by: User) -> int:
    """Append tracks (in order) that are not in the playlist yet; returns how many were added.

    Adding a track twice is not an error: the second add changes nothing. Private, taken-down
    and unfinished tracks are refused with PlaylistError.
    """
    ensure_not_suspended(by)
    for track in tracks:
        _check_addable(track=track, by=by)
    with transaction.atomic():
        locked = _locked(playlist)
        present = set(
            locked.items.filter(track__in=[t.id for t in tracks]).values_list("track_id", flat=True)
        )
        new = [t for t in dict.fromkeys(tracks) if t.id not in present]
        if not new:
            return 0
        if locked.items.count() + len(new) > MAX_ITEMS:
            raise PlaylistError(f"A playlist holds at most {MAX_ITEMS:,} tracks.")
        last = locked.items.order_by("-rank").values_list("rank", flat=True).first()
        items = []
        for track in new:
            last = ranking.key_between(last, None)
            items.append(PlaylistItem(playlist=locked, track=track, rank=last, added_by=by))
        PlaylistItem.objects.bulk_create(items)  # sends no post_save: counted here
        engagement.count_rows(
            PlaylistItem.objects.filter(playlist=locked, track__in=[t.id for t in new]), sign=1
        )
        _touch(locked)
        playlist.item_count, playlist.updated_at = locked.item_count, locked.updated_at
    return len(items)


def add_track(*, playlist: Playlist, track: Track, by: User) -> bool:
    return add_tracks(playlist=playlist, tracks=[track], by=by) == 1


def remove_item(*, playlist: Playlist, item_id: int) -> bool:
    with transaction.atomic():
        locked = _locked(playlist)
        deleted, _ = PlaylistItem.objects.filter(playlist=locked, id=item_id).delete()
        if deleted:
            _touch(locked)
    return bool(deleted)


def move_item(*, playlist: Playlist, item_id: int, after_id: int | None) -> PlaylistItem:
    """Put item `item_id` right after item `after_id` (None: first). One row is written."""
    with transaction.atomic():
        locked = _locked(playlist)
        item = PlaylistItem.objects.filter(playlist=locked, id=item_id).first()
        if item is None:
            raise PlaylistError("That track is no longer in this playlist.")
        if after_id == item.id:
            return item
        others = locked.items.exclude(id=item.id)
        if after_id is None:
            before = None
        else:
            before = others.filter(id=after_id).values_list("rank", flat=True).first()
            if before is None:
                raise PlaylistError("The track you moved it next to was removed. Reload to see.")
        following = others.order_by("rank")
        if before is not None:
            following = following.filter(rank__gt=before)
        after = following.values_list("rank", flat=True).first()
        new_rank = ranking.key_between(before, after)
        if len(new_rank) > 200:  # hundreds of moves into one gap: respace the whole list once
            _respace(locked)
            return move_item(playlist=playlist, item_id=item_id, after_id=after_id)
        item.rank = new_rank
        item.save(update_fields=["rank"])
        _touch(locked)
    return item


def _respace(playlist: Playlist) -> None:
    """Give every item a short key again, keeping the order (rarely needed; see move_item)."""
    items = list(playlist.items.order_by("rank"))
    temporary = [f"~{n:08d}" for n in range(len(items))]  # "~" sorts after every digit key
    for item, key in zip(items, temporary, strict=True):
        item.rank = key
    PlaylistItem.objects.bulk_update(items, ["rank"])
    key = None
    for item in items:
        key = ranking.key_between(key, None)
        item.rank = key
    PlaylistItem.objects.bulk_update(items, ["rank"])


def invite_collaborator(*, playlist: Playlist, user: User) -> bool:
    """Invite `user` to add to and reorder the playlist (from when they accept). Returns False
    if they were invited already."""
    if user.id == playlist.owner_id:
        raise PlaylistError("You own this playlist already.")
    _, created = Collaborator.objects.get_or_create(playlist=playlist, user=user)
    return created


def accept_invitation(*, playlist: Playlist, user: User) -> bool:
    """`user` takes up an invitation; False if there was none to accept."""
    pending = Collaborator.objects.filter(playlist=playlist, user=user, accepted_at__isnull=True)
    return bool(pending.update(accepted_at=timezone.now()))


def remove_collaborator(*, playlist: Playlist, user: User) -> None:
    Collaborator.objects.filter(playlist=playlist, user=user).delete()


def set_playlist_followed(*, user: User, playlist: Playlist, on: bool) -> bool:
    if on and playlist.owner_id == user.id:
        raise PlaylistError("This is your own playlist.")
    return toggle_row(PlaylistFollow, on=on, user=user, playlist=playlist)


def set_track_saved(*, user: User, track: Track, on: bool) -> bool:
    if on and not can_see_track(user=user, track=track):
        raise PlaylistError("That track is not available.")
    return toggle_row(SavedTrack, on=on, user=user, track=track)


def set_release_saved(*, user: User, release: Release, on: bool) -> bool:
    if on and not can_see_release(user=user, release=release):
        raise PlaylistError("That release is not available.")
    return toggle_row(SavedRelease, on=on, user=user, release=release)


def take_down_playlist(*, playlist: Playlist, by: User, reason: str) -> Playlist:
    """Hide a playlist from everyone but its owner (who sees why) and staff, embeds included."""
    Playlist.objects.filter(pk=playlist.pk).update(
        taken_down_at=timezone.now(), takedown_reason=f"{reason} (by {by})"[:500]
    )
    playlist.refresh_from_db()
    return playlist


def restore_playlist(*, playlist: Playlist) -> Playlist:
    Playlist.objects.filter(pk=playlist.pk).update(taken_down_at=None, takedown_reason="")
    playlist.refresh_from_db()
    return playlist
