"""Timed comments as the site takes them: rate-limited per author, and cached pages forget
the track page at once (services.add_timed_comment holds the rules of a comment itself)."""

import re

from django.core.exceptions import ValidationError

from backstage.models import User
from backstage.pagecache import forget_cached_pages
from tracks.models import Track

from . import limits, selectors, services
from .limits import Limit
from .models import RadioPlay, TimedComment

# Spam control: counted per author in the cache (Redis on the full stack), fixed windows.
COMMENT_LIMITS = (
    Limit(5, 60, "You are commenting very fast: wait a minute, then try again."),
    Limit(50, 24 * 3600, "That is 50 comments today, the most we take in a day. Thank you!"),
)


def post_timed_comment(
    *, author: User, track: Track, at_seconds: float, body: str, play: RadioPlay | None = None
) -> TimedComment:
    """Add a comment unless its author is over a limit. The caller has checked the author may
    see the track (and that `play` was played to them).

    The comment takes its place in the counts before it is written (12 parallel posts, 5 saved:
    `limits.take`), and gives it back if it is refused as written."""
    taken = limits.take("radio.comment", [(limit, str(author.pk)) for limit in COMMENT_LIMITS])
    try:
        comment = services.add_timed_comment(
            author=author, track=track, at_seconds=at_seconds, body=body, play=play
        )
    except Exception:
        limits.give_back(taken)
        raise
    forget_cached_pages()
    return comment


def remove_timed_comment(*, user: User, comment: TimedComment) -> None:
    services.delete_timed_comment(user=user, comment=comment)
    forget_cached_pages()


_CLOCK = re.compile(r"^(?:(\d{1,2}):)?(\d{1,3}):([0-5]\d)(?:\.\d+)?$")


def parse_moment(text: str) -> float:
    """ "1:23", "1:02:03" or plain seconds ("83", "83.5") → seconds; ValidationError otherwise."""
    text = (text or "").strip()
    match = _CLOCK.match(text)
    if match:
        hours, minutes, seconds = match.groups()
        return int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds)
    try:
        value = float(text)
    except ValueError:
        raise ValidationError("Give the moment as minutes:seconds, like 1:23.") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise ValidationError("Give the moment as minutes:seconds, like 1:23.")
    return value


# --- On the track page ------------------------------------------------------------------------


def initials(name: str) -> str:
    words = [w for w in name.replace(".", " ").split() if w[:1].isalnum()]
    return "".join(w[0] for w in words[:2]).upper() or "?"


def comments_on_page(*, request, track: Track) -> dict:
    """Everything the comments section shows, in one query (authors joined)."""
    user = request.user
    duration = track.duration or 0
    shown = list(selectors.visible_comments(track))
    for comment in shown:
        comment.track = track  # the artist is already loaded: no query per comment
        comment.can_delete = services.can_delete_comment(user=user, comment=comment)
        comment.initials = initials(comment.author.name)
        comment.left = min(100.0, 100.0 * comment.at_seconds / duration) if duration else None
    return {
        "track": track,
        "comments": shown,
        "can_comment": user.is_authenticated,
        "max_length": TimedComment.MAX_LENGTH,
        "request": request,
        "user": user,
    }
