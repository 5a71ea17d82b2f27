"""From the addresses a claimant pastes to the tracks, releases and playlists they point at.

Each line is parsed with Django's `resolve()`, so any address the site answers for a work (its
page with or without the slug, its embed player) names it. Only works an anonymous visitor can
see are found: a private or already taken-down work gets the same "could not find" as a
missing one, so the form never reveals that it exists."""

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404
from django.urls import Resolver404, resolve

from moderation.targets import KINDS
from playlists.selectors import access_playlist
from tracks.selectors import access_release, access_track

MAX_WORKS = 20
MAX_LINE = 500

# view name → (moderation kind, selector of what an anonymous visitor may see)
_VIEWS = {
    "tracks:track": ("track", access_track),
    "tracks:track_short": ("track", access_track),
    "embed:track": ("track", access_track),
    "tracks:release": ("release", access_release),
    "tracks:release_short": ("release", access_release),
    "embed:release": ("release", access_release),
    "playlists:detail": ("playlist", access_playlist),
    "playlists:short": ("playlist", access_playlist),
    "embed:playlist": ("playlist", access_playlist),
}


@dataclass(frozen=True)
class Work:
    kind: str
    obj: models.Model
    url: str

    @property
    def key(self) -> tuple[str, int]:
        return (self.kind, self.obj.pk)

    @property
    def label(self) -> str:
        return KINDS[self.kind].label(self.obj)

    @property
    def owner(self):
        return KINDS[self.kind].owner(self.obj)


def _site_hosts(request_host: str) -> set[str]:
    return {urlsplit(settings.SITE_URL).netloc.lower(), request_host.lower()}


def _not_ours(number: int) -> str:
    return (
        f"Line {number}: this is not the address of a track, release or playlist on "
        f"{settings.SITE_NAME}."
    )


def find_work(line: str, *, number: int, request_host: str) -> Work:
    """The work at this address, or ValidationError with a message naming the line."""
    if len(line) > MAX_LINE:
        raise ValidationError(f"Line {number}: an address is at most {MAX_LINE} characters.")
    parts = urlsplit(line)
    elsewhere = parts.scheme not in ("http", "https") or parts.netloc.lower() not in (
        _site_hosts(request_host)
    )
    if (parts.scheme or parts.netloc) and elsewhere:
        raise ValidationError(_not_ours(number))
    path = parts.path if parts.path.startswith("/") else "/" + parts.path
    try:
        match = resolve(path)
    except Resolver404:
        raise ValidationError(_not_ours(number)) from None
    if match.view_name not in _VIEWS:
        raise ValidationError(_not_ours(number))
    kind, access = _VIEWS[match.view_name]
    try:
        obj = access(user=None, public_id=match.kwargs["public_id"])
    except Http404:
        raise ValidationError(
            f"Line {number}: we could not find a public {kind} at this address. "
            "Check that you copied the whole address."
        ) from None
    return Work(kind=kind, obj=obj, url=line)


def find_works(text: str, *, request_host: str) -> list[Work]:
    """One work per non-empty line (a work named twice counts once); ValidationError listing
    every line that does not name one."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        raise ValidationError("Give the address of at least one work on this site.")
    if len(lines) > MAX_WORKS:
        raise ValidationError(
            f"That is {len(lines)} addresses; one claim names at most {MAX_WORKS}. "
            "Send the others in a second claim."
        )
    works: dict[tuple[str, int], Work] = {}
    errors = []
    for number, line in enumerate(lines, start=1):
        try:
            work = find_work(line, number=number, request_host=request_host)
        except ValidationError as error:
            errors.extend(error.messages)
        else:
            works.setdefault(work.key, work)
    if errors:
        raise ValidationError(errors)
    return list(works.values())
