"""Rate limits against spam, counted with the site's limiter (backstage/limits.py: fixed windows
in the cache, a place taken before the write and given back if the write does not happen).

Per sender. A person in a lively chat writes a few messages a minute; a script writing to
every artist on the site is stopped by the daily cap on new conversations."""

from backstage.limits import Limit, TooMany, give_back, take

__all__ = ["TooMany", "give_back", "take_for_sender"]

DAY = 24 * 3600

LIMITS = {
    "send": (
        Limit(20, 60, "You are sending messages very fast: wait a minute, then try again."),
        Limit(
            500,
            DAY,
            "That is 500 messages today, the most one artist can send in a day. "
            "Try again tomorrow.",
        ),
    ),
    "start": (
        Limit(
            10,
            DAY,
            "That is 10 new conversations today, the most one artist can start in a "
            "day. You can still write in the conversations you have; try again tomorrow.",
        ),
    ),
}


def take_for_sender(action: str, *, user_id: int) -> list[str]:
    """Count one `action` ("send" or "start") of this sender; TooMany (nothing counted) when
    over a limit. Returns the keys taken, for `give_back`."""
    return take(f"messages.{action}", [(limit, f"u:{user_id}") for limit in LIMITS[action]])
