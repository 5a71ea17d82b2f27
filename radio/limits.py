"""Rate limits of the radio's writes: station starts, picks, feedback and timed comments.

Counted in the cache (Redis on the full stack), fixed windows. A request first takes its
place (`cache.add` starts a window, `cache.incr` is atomic), then is refused if that place is
over a limit: parallel requests each get their own number, so none slips past a limit, as a
"read the count, then act" check let them. Refused requests give their places back (a client
hammering a per-minute limit does not use up its hour); a comment refused as written gives its
place back too (`give_back`), so only comments saved count.
"""

from collections.abc import Iterable
from contextlib import suppress
from dataclasses import dataclass

from django.core.cache import cache


@dataclass(frozen=True)
class Limit:
    count: int
    seconds: int
    message: str


class TooMany(Exception):
    """Over one of the limits: the message says which, and when to try again."""

    def __init__(self, limit: Limit):
        super().__init__(limit.message)
        self.retry_after = limit.seconds


# (limit, who) pairs a request counts against; who is a listener key, an IP key, a user id.
Counters = Iterable[tuple[Limit, str]]


def _key(action: str, limit: Limit, who: str) -> str:
    return f"radio:limit:{action}:{limit.seconds}:{who}"


def _take_one(key: str, seconds: int) -> int:
    if cache.add(key, 1, timeout=seconds):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # the window ended between add() and incr()
        cache.add(key, 1, timeout=seconds)
        return 1


def take(action: str, counters: Counters) -> list[str]:
    """Count one `action` against every counter; TooMany (nothing counted) if any is over.
    Returns the keys taken, for `give_back` if the write then fails."""
    taken = []
    for limit, who in counters:
        key = _key(action, limit, who)
        taken.append(key)
        if _take_one(key, limit.seconds) > limit.count:
            give_back(taken)
            raise TooMany(limit)
    return taken


def give_back(keys: list[str]) -> None:
    """Undo `take` for a request that did nothing in the end."""
    for key in keys:
        with suppress(ValueError):  # that window has ended meanwhile: nothing to give back
            cache.decr(key)


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
        action,
        [(limit, f"l:{listener_key}") for limit in LISTENER_LIMITS[action]]
        + [(limit, f"ip:{ip_key}") for limit in ADDRESS_LIMITS[action]],
    )
