"""Rate limits for any write a person could repeat to flood others: station starts, picks, timed
comments, calls, answers, messages, credits, payments.

Counted in the cache (Redis on the full stack), fixed windows. A request first takes its
place (`cache.add` starts a window, `cache.incr` is atomic), then is refused if that place is
over a limit: parallel requests each get their own number, so none slips past a limit, as a
"read the count, then act" check let them. Refused requests give their places back (a client
hammering a per-minute limit does not use up its hour); a write refused as written gives its
place back too (`give_back`), so only writes saved count. Each app keeps its own limits (e.g.
radio/limits.py, messaging/limits.py) and names its actions "<app>.<verb>".
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
    return f"limit:{action}:{limit.seconds}:{who}"


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


def with_retry_after(response, refusal: TooMany):
    """`response` made the 429 answer to `refusal`: the status and when to try again."""
    response.status_code = 429
    response["Retry-After"] = str(refusal.retry_after)
    return response
