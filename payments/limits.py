"""Rate limits on the POSTs that ask Stripe for something: Buy, Tip, Subscribe (and cancelling a
plan), and setting up payouts. Counted per person with the site's limiter (backstage/limits.py:
fixed windows in the cache, a place taken before the work).

Generous for a person — a fan buys a few things in an evening, presses Subscribe once or twice
— they stop one account from making Checkout Sessions and payment rows by the thousand."""

from functools import wraps

from django.urls import reverse

from backstage.limits import Limit, TooMany, take
from backstage.problems import too_many_page

MINUTE, HOUR = 60, 3600
_SLOW_DOWN = "wait a minute, then try again."
_LATER = "try again in an hour."

LIMITS = {
    "buy": (
        Limit(10, MINUTE, f"You are buying very fast: {_SLOW_DOWN}"),
        Limit(60, HOUR, f"That is 60 purchases started in an hour: {_LATER}"),
    ),
    "tip": (
        Limit(10, MINUTE, f"You are tipping very fast: {_SLOW_DOWN}"),
        Limit(60, HOUR, f"That is 60 tips started in an hour: {_LATER}"),
    ),
    "subscribe": (
        Limit(5, MINUTE, f"You are pressing Subscribe very fast: {_SLOW_DOWN}"),
        Limit(20, HOUR, f"That is 20 tries in an hour: {_LATER}"),
    ),
    "onboard": (
        Limit(5, MINUTE, f"You are setting up payouts very fast: {_SLOW_DOWN}"),
        Limit(20, HOUR, f"That is 20 tries in an hour: {_LATER}"),
    ),
}


def take_for_user(action: str, *, user_id: int) -> list[str]:
    """Count one `action` of this person; TooMany (nothing counted) when over a limit."""
    return take(f"payments.{action}", [(limit, f"u:{user_id}") for limit in LIMITS[action]])


def limited(action: str, *, back: str = ""):
    """Count each POST of a signed-in person against LIMITS[action]; over one: 429 with the
    limit's message and Retry-After, and the view does not run. Goes under @login_required.
    `back`: a URL name for the page's "Go back" link (else the page posted to)."""

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method == "POST" and request.user.is_authenticated:
                try:
                    take_for_user(action, user_id=request.user.id)
                except TooMany as refusal:
                    way_back = reverse(back) if back else request.path
                    return too_many_page(request, refusal, back=way_back)
            return view(request, *args, **kwargs)

        return wrapper

    return decorate
