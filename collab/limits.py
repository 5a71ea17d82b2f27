"""Rate limits on the board's writes, counted with the site's limiter (backstage/limits.py: fixed
windows in the cache, a place taken before the write and given back if it fails).

Per artist. Generous for a person (few people post more than one call a week), they stop one
account from flooding the board or every poster's inbox."""

from backstage.limits import Limit, TooMany, give_back, take

__all__ = ["TooMany", "give_back", "take_for_artist"]

DAY = 24 * 3600

LIMITS = {
    "post-call": (
        Limit(
            5,
            DAY,
            "That is 5 calls today, the most one artist can post in a day. Try again tomorrow.",
        ),
    ),
    "apply": (
        Limit(
            20,
            DAY,
            "That is 20 answers today, the most one artist can send in a day. Try again tomorrow.",
        ),
    ),
}


def take_for_artist(action: str, *, artist_id: int) -> list[str]:
    """Count one `action` of this artist; TooMany (nothing counted) when over a limit."""
    return take(f"collab.{action}", [(limit, f"a:{artist_id}") for limit in LIMITS[action]])
