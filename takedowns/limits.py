"""Rate limits of the public takedown form, counted with the site's limiter
(backstage/limits.py). A rights holder sends a handful of claims a day (one claim names up to
20 works); a script flooding staff with claims is stopped per address and per e-mail."""

import hashlib

from backstage.limits import Limit, TooMany, give_back, take

__all__ = ["TooMany", "give_back", "take_for_claim"]

DAY = 24 * 3600

_LATER = "If you have more to report, name up to 20 works in one claim, or try again tomorrow."

ADDRESS_LIMITS = (
    Limit(5, 3600, "That is 5 claims from your network in an hour: try again in an hour."),
    Limit(20, DAY, f"That is 20 claims from your network today. {_LATER}"),
)
EMAIL_LIMITS = (Limit(10, DAY, f"That is 10 claims from this e-mail address today. {_LATER}"),)


def _digest(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:24]


def take_for_claim(*, ip_key: str, email: str) -> list[str]:
    """Count one claim from this address and e-mail; TooMany (nothing counted) when over."""
    return take(
        "takedowns.claim",
        [(limit, f"ip:{ip_key}") for limit in ADDRESS_LIMITS]
        + [(limit, f"e:{_digest(email)}") for limit in EMAIL_LIMITS],
    )
