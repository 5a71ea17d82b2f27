"""Releases and tracks as their artist edits them, and as moderators take them down."""

from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from artists.models import Artist
from artists.notifications import announce_new_music, announce_release
from backstage.models import User
from backstage.pagecache import forget_cached_pages
from backstage.suspension import ensure_not_suspended

from ..models import Release, Track

TRACK_FIELDS = (
    "title",
    "credits",
    "genre",
    "tags",
    "release_date",
    "licence",
    "visibility",
    "radio_enabled",
    "cover",
    "release",
    "position",
)
RELEASE_FIELDS = ("title", "kind", "description", "release_date", "visibility", "cover")


def _assign(obj: Model, allowed: tuple[str, ...], fields: dict) -> list[str]:
    changed = []
    for name, value in fields.items():
        if name in allowed and getattr(obj, name) != value:
            setattr(obj, name, value)
            changed.append(name)
    return changed


def create_release(*, artist: Artist, **fields) -> Release:
    ensure_not_suspended(artist.user)
    release = Release(artist=artist)
    _assign(release, RELEASE_FIELDS, fields)
    release.save()
    return release


def update_release(*, release: Release, track_order: list[int] | None = None, **fields) -> Release:
    """Edit a release; `track_order` lists its track ids in their new order."""
    ensure_not_suspended(release.artist.user)
    with transaction.atomic():
        changed = _assign(release, RELEASE_FIELDS, fields)
        release.save()
        if "visibility" in changed:
            announce_release(release=release)
        if track_order:
            tracks = {t.id: t for t in release.tracks.select_for_update()}
            ordered = [tracks[i] for i in track_order if i in tracks]
            for position, track in enumerate(ordered, start=1):
                track.position = position
            Track.objects.bulk_update(ordered, ["position"])
    return release


def update_track(*, track: Track, **fields) -> Track:
    """Apply the artist's edits and remember which fields they typed (tags never overwrite)."""
    ensure_not_suspended(track.artist.user)
    with transaction.atomic():
        # Lock against the pipeline finishing at the same moment (it reads edited_fields).
        locked = Track.objects.select_for_update().get(pk=track.pk)
        old_release_id = locked.release_id
        changed = _assign(locked, TRACK_FIELDS, fields)
        locked.edited_fields = sorted(set(locked.edited_fields) | set(changed))
        locked.save()
        if "release" in changed:
            from analytics.engagement import move_track  # analytics builds on tracks

            move_track(
                track_id=locked.pk, old_release_id=old_release_id, new_release_id=locked.release_id
            )
        if {"visibility", "release"} & set(changed):
            announce_new_music(track=locked)
    return locked


def take_down_track(*, track: Track, by: User, reason: str) -> Track:
    """Make a track unplayable everywhere at once: pages, stream URLs already handed out."""
    Track.objects.filter(pk=track.pk).update(
        taken_down_at=timezone.now(), takedown_reason=f"{reason} (by {by})"[:500]
    )
    forget_cached_pages()
    track.refresh_from_db()
    return track


def restore_track(*, track: Track) -> Track:
    with transaction.atomic():
        Track.objects.filter(pk=track.pk).update(taken_down_at=None, takedown_reason="")
        forget_cached_pages()
        track.refresh_from_db()
        announce_new_music(track=track)
    return track
