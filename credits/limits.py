"""Rate limits of the writes that notify someone else, counted with the site's limiter
(backstage/limits.py): adding a credit and proposing a split each send a notification and an
e-mail, so one account cannot use them to flood another artist's inbox."""

from artists.models import Artist
from backstage.limits import Limit, take

LIMITS = {
    "credit": (
        Limit(10, 60, "You are adding credits very fast: wait a minute, then try again."),
        Limit(60, 3600, "That is 60 credits in an hour: try again in a while."),
    ),
    "propose": (
        Limit(5, 60, "You are proposing splits very fast: wait a minute, then try again."),
        Limit(30, 3600, "That is 30 split proposals in an hour: try again in a while."),
    ),
}


def take_for_artist(action: str, *, artist: Artist) -> list[str]:
    """Count one `action` by `artist`; backstage.limits.TooMany (nothing counted) if over."""
    return take(f"credits:{action}", [(limit, f"a:{artist.id}") for limit in LIMITS[action]])
