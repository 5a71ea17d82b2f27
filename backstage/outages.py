"""When a service the site leans on is down for a moment: a 503 that says so, never a 500.

PostgreSQL restarting, Redis (cache, queue, beacon buffer) stopped, the S3 endpoint unreachable:
each is an exception deep inside a view. `OutageMiddleware` turns the ones a view raises into a
503 with Retry-After and a message for what is unavailable; `server_error` (the site's
handler500) does the same for those raised outside views (a middleware writing the session,
say), and is Django's plain 500 page otherwise. The page is rendered without the base layout's
context processors, which would query the database that may be the thing that is down.
Scripts (Accept: application/json, as the upload page and the player send) get {"error": ...}.
"""

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseServerError, JsonResponse
from django.template.loader import render_to_string
from django.views import defaults

log = logging.getLogger(__name__)

RETRY_AFTER = 30  # seconds: a database restart or a broker reconnect takes about that long

DATABASE = (
    "Backstage is restarting part of itself and will be back in a moment. "
    "Please try again in a minute."
)
STORAGE = (
    "Uploads and audio files are unavailable right now. Please try again in a few minutes: "
    "nothing you already uploaded is lost."
)
QUEUE = "This part of Backstage is unavailable for a moment. Please try again in a minute."


def _storage_errors() -> tuple[type[BaseException], ...]:
    try:
        from botocore.exceptions import BotoCoreError
    except ImportError:  # no S3 client installed: there is no S3 to lose
        return ()
    return (BotoCoreError,)


def _queue_errors() -> tuple[type[BaseException], ...]:
    from kombu.exceptions import OperationalError as BrokerError
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeout

    return (RedisConnectionError, RedisTimeout, BrokerError)


def outage_message(exception: BaseException) -> tuple[str, str] | None:
    """(what is down, what to tell the person) if `exception` means a service is down."""
    if isinstance(exception, (OperationalError, InterfaceError)):
        return "database", DATABASE
    if isinstance(exception, _storage_errors()):
        return "storage", STORAGE
    if isinstance(exception, _queue_errors()):
        return "queue", QUEUE
    return None


def outage_response(request, what: str, message: str) -> HttpResponse:
    if "application/json" in request.headers.get("Accept", ""):
        response = JsonResponse({"error": message, "unavailable": what}, status=503)
    else:
        page = render_to_string("outage.html", {"message": message, "what": what})
        response = HttpResponse(page, status=503)
    response["Retry-After"] = str(RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    return response


class OutageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        outage = outage_message(exception)
        if outage is None:
            return None
        log.warning(
            "%s unavailable during %s %s: %r", outage[0], request.method, request.path, exception
        )
        return outage_response(request, *outage)


def server_error(request, template_name: str = defaults.ERROR_500_TEMPLATE_NAME):
    """handler500: an outage raised outside a view still gets the 503 page."""
    exception = sys.exc_info()[1]
    outage = outage_message(exception) if exception is not None else None
    if outage is not None:
        return outage_response(request, *outage)
    try:
        return defaults.server_error(request, template_name)
    except Exception:  # the 500 template itself failed: say it plainly
        return HttpResponseServerError("<h1>Server Error (500)</h1>", content_type="text/html")
