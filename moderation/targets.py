"""The kinds of things anyone can report, and how moderation hides and restores each one.
Hiding never deletes: every kind keeps its row and only stops showing (docs/moderation.md)."""

from collections.abc import Callable
from dataclasses import dataclass

from django.db import models, transaction
from django.utils import timezone

from artists.models import Artist
from backstage.models import User
from backstage.pagecache import forget_cached_pages
from messaging.models import Message
from playlists.models import Playlist
from radio.models import TimedComment
from tracks.models import Release, Track
from tracks.services import restore_track


@dataclass(frozen=True)
class TargetKind:
    slug: str
    model: type[models.Model]
    owner: Callable[[models.Model], User]
    is_hidden: Callable[[models.Model], bool]
    hide: Callable[[models.Model, str], None]
    unhide: Callable[[models.Model], None]

    def label(self, obj: models.Model) -> str:
        return f"{self.model._meta.verbose_name}: {obj}"[:300]


def _set(obj: models.Model, **fields) -> None:
    """One UPDATE of these fields, mirrored on `obj`, and the anonymous page cache dropped."""
    type(obj).objects.filter(pk=obj.pk).update(**fields)
    for name, value in fields.items():
        setattr(obj, name, value)
    transaction.on_commit(forget_cached_pages)


def _takedown_fields(note: str) -> dict:
    return {"taken_down_at": timezone.now(), "takedown_reason": note[:500]}


_RESTORED = {"taken_down_at": None, "takedown_reason": ""}

KINDS: dict[str, TargetKind] = {
    kind.slug: kind
    for kind in (
        TargetKind(
            "track",
            Track,
            owner=lambda t: t.artist.user,
            is_hidden=lambda t: t.taken_down_at is not None,
            hide=lambda t, note: _set(t, **_takedown_fields(note)),
            # The tracks service: also announces it to followers if it never was (once).
            unhide=lambda t: restore_track(track=t),
        ),
        TargetKind(
            "release",
            Release,
            owner=lambda r: r.artist.user,
            is_hidden=lambda r: r.taken_down_at is not None,
            hide=lambda r, note: _set(r, taken_down_at=timezone.now()),
            unhide=lambda r: _set(r, taken_down_at=None),
        ),
        TargetKind(
            "artist",
            Artist,
            owner=lambda a: a.user,
            is_hidden=lambda a: a.is_suspended,
            hide=lambda a, note: _set(a, is_suspended=True),
            unhide=lambda a: _set(a, is_suspended=False),
        ),
        TargetKind(
            "playlist",
            Playlist,
            owner=lambda p: p.owner,
            is_hidden=lambda p: p.taken_down_at is not None,
            hide=lambda p, note: _set(p, **_takedown_fields(note)),
            unhide=lambda p: _set(p, **_RESTORED),
        ),
        TargetKind(
            "comment",
            TimedComment,
            owner=lambda c: c.author,
            is_hidden=lambda c: c.hidden_at is not None,
            hide=lambda c, note: _set(c, hidden_at=timezone.now(), hidden_note=note[:500]),
            unhide=lambda c: _set(c, hidden_at=None, hidden_note=""),
        ),
        TargetKind(
            "message",
            Message,
            owner=lambda m: m.sender,
            is_hidden=lambda m: m.hidden_at is not None,
            hide=lambda m, note: _set(m, hidden_at=timezone.now()),
            unhide=lambda m: _set(m, hidden_at=None),
        ),
    )
}


def kind_of(obj: models.Model) -> TargetKind:
    for kind in KINDS.values():
        if isinstance(obj, kind.model):
            return kind
    raise LookupError(f"{type(obj).__name__} cannot be reported")
