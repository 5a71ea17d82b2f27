"""Moderators hiding and restoring timed comments (the admin's actions call these)."""

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone

from backstage.models import User

from .models import TimedComment


def hide_comments(*, comments: QuerySet[TimedComment], note: str, by: User) -> int:
    """Hide the comments not hidden yet, saying why; returns how many. Hidden comments
    disappear from track pages and from the artist's figures at once."""
    note = note.strip()
    if not note:
        raise ValidationError("Write a note saying why these comments are hidden.")
    return comments.filter(hidden_at__isnull=True).update(
        hidden_at=timezone.now(), hidden_note=f"{note} (by {by})"[:500]
    )


def unhide_comments(*, comments: QuerySet[TimedComment]) -> int:
    return comments.filter(hidden_at__isnull=False).update(hidden_at=None, hidden_note="")
