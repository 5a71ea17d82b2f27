"""Rate limits of the radio's writes: station starts, picks, feedback and timed comments,
counted with the site's limiter (backstage/limits.py)."""

from backstage.limits import Limit, TooMany, give_back, take, with_retry_after

__all__ = ["Limit", "TooMany", "give_back", "take", "take_for_listener", "with_retry_after"]


# --- Stations and feedback --------------------------------------------------------------------
# Per listener, and per address for everyone behind it (an office, a school: five times as
# much). Generous for a person, who hears a track every few minutes and skips a few; they stop
# one client from handing itself plays and likes by the hundred (a like per listener and track
# is all the track's score counts anyway: services.record_feedback).

_SLOW_DOWN = "wait a minute, then try again."
_LATER = "try again in a while."
_PER_ADDRESS = 5

LISTENER_LIMITS = {
    "start": (
        Limit(10, 60, f"You are starting stations very fast: {_SLOW_DOWN}"),
        Limit(60, 3600, f"That is 60 stations in an hour: {_LATER}"),
    ),
    "next": (
        Limit(30, 60, f"You are skipping very fast: {_SLOW_DOWN}"),
        Limit(400, 3600, f"That is 400 tracks in an hour: {_LATER}"),
    ),
    "feedback": (
        Limit(30, 60, f"You are rating very fast: {_SLOW_DOWN}"),
        Limit(400, 3600, f"That is 400 ratings in an hour: {_LATER}"),
    ),
}
ADDRESS_LIMITS = {
    action: tuple(
        Limit(
            limit.count * _PER_ADDRESS,
            limit.seconds,
            "Many people on your network are using the radio right now: "
            + (_SLOW_DOWN if limit.seconds <= 60 else _LATER),
        )
        for limit in listener_limits
    )
    for action, listener_limits in LISTENER_LIMITS.items()
}


def take_for_listener(action: str, *, listener_key: str, ip_key: str) -> list[str]:
    """Count a station start, pick or feedback of this listener and address; TooMany if over."""
    return take(
        f"radio.{action}",
        [(limit, f"l:{listener_key}") for limit in LISTENER_LIMITS[action]]
        + [(limit, f"ip:{ip_key}") for limit in ADDRESS_LIMITS[action]],
    )
