"""A shorter way through Django for POST /beacon, the busiest request (one every 10 s per
listener): the beacon view behind only the middleware that matters to its answer.

The full stack costs more than the view itself once the buffer is Redis. What a beacon skips:
static files (WhiteNoise), sessions, CSRF (the view is exempt), authentication, messages,
htmx and allauth — the view reads none of them. What it keeps: Django's request and response
objects, its request_started / request_finished signals (database connections are closed or
reused exactly as for any request), its handling of exceptions (a 500 is logged as usual),
and the middleware below: the HTTPS redirect and security headers, the host check, and the
framing and CSP headers. Any other POST /beacon, and everything else, goes the usual way.
"""

from django.conf import settings
from django.core.handlers.exception import convert_exception_to_response
from django.core.handlers.wsgi import WSGIHandler
from django.utils.module_loading import import_string

PATH = "/beacon"
MIDDLEWARE = {
    "django.middleware.security.SecurityMiddleware",  # HTTPS redirect, HSTS, nosniff, …
    "django.middleware.common.CommonMiddleware",  # ALLOWED_HOSTS, disallowed user agents
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
}


class BeaconHandler(WSGIHandler):
    """Django's WSGI handler with the beacon view as its only view and MIDDLEWARE (in
    settings.MIDDLEWARE's order) as its only middleware."""

    def load_middleware(self, is_async=False):
        from analytics.views import beacon

        self._view_middleware = []
        self._template_response_middleware = []
        self._exception_middleware = []
        handler = convert_exception_to_response(beacon)
        for path in reversed(settings.MIDDLEWARE):
            if path in MIDDLEWARE:
                handler = convert_exception_to_response(import_string(path)(handler))
        self._middleware_chain = handler


def with_beacon_path(application):
    """`application` (Django's WSGI handler) with POST /beacon sent through BeaconHandler."""
    beacons = BeaconHandler()

    def dispatch(environ, start_response):
        if environ.get("PATH_INFO") == PATH and environ.get("REQUEST_METHOD") == "POST":
            return beacons(environ, start_response)
        return application(environ, start_response)

    return dispatch
