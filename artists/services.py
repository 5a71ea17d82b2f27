from django.db import IntegrityError, transaction

from backstage.models import User
from backstage.rows import toggle_row
from backstage.suspension import ensure_not_suspended

from .models import Artist, Follow

EDITABLE_FIELDS = (
    "name",
    "slug",
    "bio",
    "links",
    "location",
    "skills",
    "genres",
    "open_to_collab",
    "avatar",
    "banner",
)


class SlugTaken(Exception):
    pass


def create_artist(*, user: User, **fields) -> Artist:
    """Give `user` an artist profile. Raises SlugTaken when another artist won the slug."""
    artist = Artist(user=user, **{k: v for k, v in fields.items() if k in EDITABLE_FIELDS})
    try:
        with transaction.atomic():
            artist.save()
    except IntegrityError as exc:  # the unique slug raced a concurrent sign-up
        raise SlugTaken(fields.get("slug", "")) from exc
    return artist


def update_artist(*, artist: Artist, **fields) -> Artist:
    ensure_not_suspended(artist.user)
    for name, value in fields.items():
        if name in EDITABLE_FIELDS:
            setattr(artist, name, value)
    try:
        with transaction.atomic():
            artist.save()
    except IntegrityError as exc:
        raise SlugTaken(artist.slug) from exc
    return artist


def set_following(*, user: User, artist: Artist, on: bool) -> bool:
    """Follow (on=True) or unfollow an artist; repeating either changes nothing."""
    return toggle_row(Follow, on=on, user=user, artist=artist)
