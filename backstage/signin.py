"""Who may sign in, and how often one may try (docs/security.md "Signing in").

- A suspended account (User.suspended_at) cannot sign in: the authentication backends refuse
  it (`user_can_authenticate`), and allauth, which still learns whose password matched, tells
  the person why (AccountAdapter.pre_login). The refusal is only shown after a correct
  password, so it reveals nothing to someone guessing.
- A session opened before the suspension ends on its next request (SuspendedSignOutMiddleware),
  with a page that says why. The check rides on Django's lazy `request.user`: requests that
  never look at the user (the beacon, static files) pay nothing for it.
- Every sign-in goes through allauth and its rate limits (settings.ACCOUNT_RATE_LIMITS): the
  admin's own login form, which would bypass them, sends people to allauth's.
"""

from urllib.parse import urlencode

from allauth.account.auth_backends import AuthenticationBackend
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import BACKEND_SESSION_KEY, REDIRECT_FIELD_NAME, get_user_model, logout
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.middleware import get_user
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.http import url_has_allowed_host_and_scheme

from .problems import problem_page


def suspended_message() -> str:
    return (
        "This account is suspended, so it cannot sign in. If you think this is a mistake, "
        f"contact {settings.SUPPORT_EMAIL}."
    )


TOO_MANY_MESSAGE = (
    "Too many attempts from your network in a short time. Please wait a while and try again."
)


class _RefuseSuspended:
    def user_can_authenticate(self, user) -> bool:
        return super().user_can_authenticate(user) and getattr(user, "suspended_at", None) is None

    def get_user(self, user_id):
        # A session stays attached to a suspended user here, so that the middleware can end it
        # and say why (refusing it here would turn them anonymous without a word).
        user = get_user_model()._default_manager.filter(pk=user_id).first()
        return user if user is not None and user.is_active else None


class ModelBackendRefusingSuspended(_RefuseSuspended, ModelBackend):
    """Django's backend (username + password: the admin, `authenticate()` in scripts)."""


class AllauthBackendRefusingSuspended(_RefuseSuspended, AuthenticationBackend):
    """allauth's backend (e-mail + password). It stashes a refused user whose password matched,
    so the login form reaches AccountAdapter.pre_login, which explains the refusal."""


# Sessions opened before these backends replaced the stock ones name the old backends: Django
# would turn them anonymous (it only trusts a session whose backend is still configured), so
# they are renamed, once per session, instead of signing everyone out at deploy.
OLD_BACKENDS = {
    "django.contrib.auth.backends.ModelBackend": "backstage.signin.ModelBackendRefusingSuspended",
    "allauth.account.auth_backends.AuthenticationBackend": (
        "backstage.signin.AllauthBackendRefusingSuspended"
    ),
}


def _adopt_old_backend(request) -> None:
    old = request.session.get(BACKEND_SESSION_KEY)
    if old in OLD_BACKENDS and old not in settings.AUTHENTICATION_BACKENDS:
        request.session[BACKEND_SESSION_KEY] = OLD_BACKENDS[old]


class SuspendedSignOutMiddleware:
    """Ends the session of a user suspended since signing in, on their next request that looks
    at `request.user`, and answers with a page that says why (403; htmx requests are sent to the
    sign-in page, where the same message is shown). Goes right after AuthenticationMiddleware
    and MessageMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.user = SimpleLazyObject(lambda: self._unsuspended_user(request))
        response = self.get_response(request)
        if not getattr(request, "signed_out_suspended", False):
            return response
        if getattr(request, "htmx", False):
            response = HttpResponseRedirect(reverse("account_login"))
            response["HX-Redirect"] = response["Location"]
            return response
        return problem_page(request, suspended_message(), 403, back=reverse("home"))

    @staticmethod
    def _unsuspended_user(request):
        _adopt_old_backend(request)
        user = get_user(request)
        if getattr(user, "suspended_at", None) is None:
            return user
        request.user = user  # logout() reads request.user: the real one, not this lazy object
        logout(request)  # sends user_logged_out, flushes the session, request.user = anonymous
        del request._cached_user
        request.signed_out_suspended = True
        messages.error(request, suspended_message())
        return request.user


def admin_login(request):
    """/admin/login/: the admin signs in through allauth like everyone else (its rate limits,
    its suspension check), then comes back. Signed in without staff rights: a 403 that says so
    (sending them to allauth again would loop, since allauth sends signed-in people onwards)."""
    next_url = request.GET.get(REDIRECT_FIELD_NAME, "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = ""
    next_url = next_url or reverse("admin:index")
    if request.user.is_authenticated:
        if request.user.is_active and request.user.is_staff:
            return HttpResponseRedirect(next_url)
        return problem_page(
            request,
            "Your account has no access to the admin. Sign out and sign in with a staff account.",
            403,
            back=reverse("home"),
        )
    query = urlencode({REDIRECT_FIELD_NAME: next_url})
    return HttpResponseRedirect(f"{reverse('account_login')}?{query}")


def too_many_requests(request, exception=None):
    """allauth's 429 (sign-up, password reset, sign-in floods from one address) in the site's
    layout. allauth does not say when the window ends; the page says to wait."""
    return problem_page(request, TOO_MANY_MESSAGE, 429, back=reverse("home"))
