"""Rate limits of reports, counted with the site's limiter (backstage/limits.py).

Per person when signed in, else per address (hashed, like the analytics keys). Ten reports an
hour is more than anyone honest files; it stops one client burying the queue."""

from backstage.limits import Limit, TooMany, give_back, take

__all__ = ["TooMany", "give_back", "take_for_reporter"]

LIMITS = (Limit(10, 3600, "That is 10 reports in an hour, the most we take: try again later."),)


def take_for_reporter(*, who: str) -> list[str]:
    """Count one report of `who` ("u:<id>" or "ip:<key>"); TooMany (nothing counted) if over."""
    return take("moderation.report", [(limit, who) for limit in LIMITS])
