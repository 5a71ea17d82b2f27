"""A suspended person changes nothing, even through a path that does not pass the sign-in.

Two layers (docs/security.md "Suspension"):
- Requests: a session opened before the suspension ends on its next request, answered 403
  with a page saying why (`backstage.signin.SuspendedSignOutMiddleware`): the view sees an
  anonymous visitor, so nothing is written in their name.
- Services: `ensure_not_suspended` is the guard the write services call (uploads, comments,
  radio feedback, messages, playlists, artist profiles, checkout), for writes that arrive some
  other way (a task, a shell, a view that takes the user from elsewhere). It raises
  `Suspended`; `SuspendedRefusalMiddleware` turns one that escapes a view into the 403 page.
"""

from django.core.exceptions import PermissionDenied
from django.http import JsonResponse

from .problems import problem_page

MESSAGE = (
    "This account is suspended: it can’t upload, comment, message, edit or buy anything "
    "until the suspension is lifted."
)


class Suspended(PermissionDenied):
    """The person a write is for is suspended."""

    def __init__(self, message: str = MESSAGE):
        super().__init__(message)
        self.message = message


def ensure_not_suspended(user) -> None:
    """Raise Suspended if `user` (a User, or None / anonymous) is suspended."""
    if user is not None and getattr(user, "suspended_at", None) is not None:
        raise Suspended()


def refusal(request, message: str = MESSAGE):
    """403: JSON for the upload page's scripts (they ask for it), the refusal page otherwise."""
    if "application/json" in request.headers.get("Accept", ""):
        return JsonResponse({"error": message}, status=403)
    return problem_page(request, message, 403, back="/")


class SuspendedRefusalMiddleware:
    """A `Suspended` raised by a service answers 403 with its message (not Django's bare 403)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, Suspended):
            return refusal(request, exception.message)
        return None
