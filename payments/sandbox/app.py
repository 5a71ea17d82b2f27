"""The WSGI application: routing, Bearer auth, Idempotency-Key, expand[] and JSON answers."""

import base64
import copy
import json
import logging
import re
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl

from . import accounts, charges, checkout, events, pages, subscriptions, transfers
from .errors import InvalidParam, StripeError
from .form import MAX_BODY, Params, parse_form
from .objects import Request
from .state import Store, now
from .webhooks import RETRY_DELAYS, Webhooks

logger = logging.getLogger(__name__)
MAX_EXPAND_DEPTH = 4

Handler = Callable[[Webhooks, Request], Any]
ROUTES: list[tuple[str, re.Pattern, Handler]] = [
    (method, re.compile(pattern + r"/?"), handler)
    for module in (accounts, charges, checkout, subscriptions, transfers, events, pages)
    for method, pattern, handler in module.ROUTES
]


class Sandbox:
    """A WSGI callable speaking Stripe's v1 API; events go to `webhook_url`, signed."""

    def __init__(
        self,
        *,
        webhook_url: str | None = None,
        webhook_secret: str | None = None,
        state_path: str | None = None,
        retry_delays: tuple[float, ...] = RETRY_DELAYS,
        public_url: str | None = None,
    ) -> None:
        # Where browsers reach the hosted pages when that is not where the API is called (in
        # docker-compose the app calls http://stripe-sandbox:12111, browsers localhost:12111).
        self.public_url = (public_url or "").rstrip("/") or None
        self.store = Store(state_path)
        self.webhooks = Webhooks(self.store, webhook_url, webhook_secret, retry_delays=retry_delays)

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        try:
            status, headers, body = self._respond(environ)
        except StripeError as error:
            status, headers, body = _json(error.status, error.body())
        except Exception:  # a sandbox bug must still answer in Stripe's shape
            logger.exception("sandbox failure on %s", environ.get("PATH_INFO"))
            error = StripeError("An unexpected error occurred in the sandbox.", status=500)
            error.type = "api_error"
            status, headers, body = _json(500, error.body())
        start_response(f"{status} {HTTPStatus(status).phrase}", headers)
        return [body]

    def _respond(self, environ: dict) -> tuple[int, list[tuple[str, str]], bytes]:
        method = environ["REQUEST_METHOD"].upper()
        path = environ.get("PATH_INFO") or "/"
        handler, args = _route(method, path)
        raw = _read_body(environ)
        base_url = self.public_url or _base_url(environ)
        if path.startswith("/sandbox/"):
            form = dict(parse_qsl(environ.get("QUERY_STRING", "")))
            form.update(parse_qsl(raw))
            request = Request(method, path, Params({}), base_url, args=args, form=form)
            with self.store.lock:
                page = handler(self.webhooks, request)
                self.store.save()
            return page.status, page.headers, page.body.encode()
        api_key = _api_key(environ)
        if method == "POST" and environ.get("CONTENT_TYPE", "").startswith("application/json"):
            raise InvalidParam(
                "Stripe's v1 API takes application/x-www-form-urlencoded bodies, not JSON.",
                param=None,
            )
        params = parse_form(raw if method == "POST" else environ.get("QUERY_STRING", ""))
        key = environ.get("HTTP_IDEMPOTENCY_KEY") if method == "POST" else None
        request = Request(method, path, Params(params), base_url, args=args, idempotency_key=key)
        if key is None:
            with self.store.lock:
                status, body = self._run(handler, request)
                self.store.save()
            return _answer(status, body, request.request_id)
        if len(key) > 255:
            raise InvalidParam("Idempotency-Key must be at most 255 characters.", param=None)
        scope = json.dumps([api_key, environ.get("HTTP_STRIPE_ACCOUNT"), key])
        fingerprint = json.dumps([method, path, params], sort_keys=True)
        with self.store.lock:
            self.store.forget_old_keys()
            saved = self.store.idempotency.get(scope)
            if saved is not None:
                if saved["fingerprint"] != fingerprint:
                    raise StripeError(
                        "Keys for idempotent requests can only be used with the same parameters "
                        f"they were first used with. Try using a key other than '{key}' if you "
                        "meant to execute a different request.",
                        type="idempotency_error",
                    )
                status, headers, body = _answer(saved["status"], saved["body"], saved["request_id"])
                return status, [*headers, ("Idempotent-Replayed", "true")], body
            try:
                status, body = self._run(handler, request)
            except StripeError as error:
                if not error.saved:
                    raise
                status, body = error.status, error.body()
            request_id = request.request_id
            self.store.idempotency[scope] = {
                "fingerprint": fingerprint,
                "status": status,
                "body": body,
                "request_id": request_id,
                "created": now(),
            }
            self.store.save()
        return _answer(status, body, request_id)

    def _run(self, handler: Handler, request: Request) -> tuple[int, dict[str, Any]]:
        """Call the handler (caller holds the lock); the answer, expanded, as a fresh copy."""
        expand = request.params.expand()
        result = copy.deepcopy(handler(self.webhooks, request))
        for path in expand:
            parts = path.split(".")
            if len(parts) > MAX_EXPAND_DEPTH:
                raise InvalidParam(
                    f"You cannot expand more than {MAX_EXPAND_DEPTH} levels of a property.",
                    param="expand",
                )
            self._expand(result, parts, path)
        return 200, result

    def _expand(self, node: Any, parts: list[str], path: str) -> None:
        if not parts or node is None:
            return
        if isinstance(node, list):
            for item in node:
                self._expand(item, parts, path)
            return
        key = parts[0]
        if not isinstance(node, dict) or key not in node:
            raise InvalidParam(f"This property cannot be expanded ({path}).", param="expand")
        value = node[key]
        if isinstance(value, str):
            if value not in self.store.objects:
                raise InvalidParam(f"This property cannot be expanded ({path}).", param="expand")
            value = node[key] = copy.deepcopy(self.store.objects[value])
        self._expand(value, parts[1:], path)


def _route(method: str, path: str) -> tuple[Handler, tuple[str, ...]]:
    for route_method, pattern, handler in ROUTES:
        match = pattern.fullmatch(path)
        if match and route_method == method:
            return handler, match.groups()
    raise StripeError(
        f"Unrecognized request URL ({method}: {path}). Please see https://stripe.com/docs "
        "or we can help at https://support.stripe.com/.",
        status=404,
    )


def _read_body(environ: dict) -> str:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_BODY:
        raise StripeError(f"Request bodies are limited to {MAX_BODY} bytes.", status=413)
    data = environ["wsgi.input"].read(length) if length > 0 else b""
    try:
        return data.decode()
    except UnicodeDecodeError:
        raise StripeError("The request body is not valid UTF-8.") from None


def _api_key(environ: dict) -> str:
    """The secret key from `Authorization: Bearer` (or Basic, as curl -u sends it)."""
    header = environ.get("HTTP_AUTHORIZATION", "")
    scheme, _, credential = header.partition(" ")
    if scheme.lower() == "basic":
        try:
            credential = base64.b64decode(credential).decode().partition(":")[0]
        except ValueError:
            credential = ""
    elif scheme.lower() != "bearer":
        credential = ""
    credential = credential.strip()
    if not credential:
        raise StripeError(
            "You did not provide an API key. You need to provide your API key in the "
            "Authorization header, using Bearer auth (e.g. 'Authorization: Bearer "
            "YOUR_SECRET_KEY').",
            status=401,
        )
    if not credential.startswith("sk_test_"):
        shown = f"{credential[:8]}{'*' * 8}{credential[-4:]}" if len(credential) > 12 else "****"
        raise StripeError(
            f"Invalid API Key provided: {shown}. The sandbox accepts only keys that start "
            "with sk_test_.",
            status=401,
            code="api_key_invalid",
        )
    return credential


def _base_url(environ: dict) -> str:
    scheme = environ.get("wsgi.url_scheme", "http")
    host = environ.get("HTTP_HOST") or f"{environ['SERVER_NAME']}:{environ['SERVER_PORT']}"
    return f"{scheme}://{host}{environ.get('SCRIPT_NAME', '').rstrip('/')}"


def _json(status: int, body: dict[str, Any]) -> tuple[int, list[tuple[str, str]], bytes]:
    return status, [("Content-Type", "application/json")], json.dumps(body, indent=2).encode()


def _answer(status: int, body: dict[str, Any], request_id: str):
    status, headers, data = _json(status, body)
    return status, [*headers, ("Request-Id", request_id)], data
