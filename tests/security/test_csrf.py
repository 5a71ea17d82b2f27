"""CSRF on every state-changing endpoint: walking the same URL list as the permission matrix,
a POST, PUT, PATCH or DELETE without a CSRF token, by a signed-in user who may otherwise make
it, is refused (403) and writes nothing — except the csrf-exempt views on ALLOWED_EXEMPT, each
with the reason it is safe without one. An exempt view not on the list fails the test."""

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from .test_permission_matrix import LOGIN, PATTERNS, RULES, SKIP
from .urlwalk import admin_path

ALLOWED_EXEMPT = {
    "beacon": "sent by navigator.sendBeacon, which cannot carry a token: the signed play token "
    "is the authority, and a beacon only adds to the play it was issued for",
    "unsubscribe": "mail clients POST the RFC 8058 one-click unsubscribe without a token: the "
    "signed token in the URL is the only authority (no login, no cookie is trusted)",
    "payments:webhook": "Stripe signs its POSTs: Stripe-Signature is verified "
    "(payments.webhooks.verify_event), anything else is a 400",
    "payments:sandbox": "the embedded Stripe sandbox's hosted pages, standing for stripe.com: "
    "served only in sandbox mode (PAYMENTS_SANDBOX), acting on the sandbox's own links",
}

WRITES = ("insert", "update", "delete")


def test_the_exempt_list_is_exact():
    exempt = {p.key for p in PATTERNS if p.csrf_exempt}
    unlisted = sorted(exempt - set(ALLOWED_EXEMPT))
    assert not unlisted, (
        f"csrf_exempt views not on ALLOWED_EXEMPT in {__file__}: {unlisted}. Remove the "
        "exemption, or add the view with the reason it is safe without a token."
    )
    assert not set(ALLOWED_EXEMPT) - exempt, "ALLOWED_EXEMPT names views that are not exempt"


def who_may(key: str) -> str:
    """A role the matrix lets make this request (the owner unless only others may)."""
    rule = RULES[key]
    expect = rule.post or rule.get
    state = rule.states[0]
    for role in ("owner", "other", "fan", "admin"):
        if expect(role, state) not in (LOGIN, SKIP, 403, 404):
            return role
    return "owner"


def _url(world, pattern) -> tuple[str, str]:
    """The URL and the role to request it as."""
    if pattern.is_admin:
        return admin_path(pattern), "admin"
    rule = RULES[pattern.key]
    state = rule.states[0]
    if pattern.key.startswith("path:"):
        url = "/" + pattern.route
        for arg, value in rule.kwargs(world, state).items():
            url = url.replace(f"<path:{arg}>", str(value))
    else:
        url = reverse(pattern.key, kwargs=rule.kwargs(world, state))
    return url, who_may(pattern.key)


def _cases():
    for pattern in PATTERNS:
        if pattern.csrf_exempt:
            continue
        methods = ("POST",) if pattern.is_admin else ("POST", "PUT", "PATCH", "DELETE")
        for method in methods:
            yield pytest.param(pattern, method, id=f"{pattern.key}-{method}")


def _signed_in(world, role: str) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[role]
    return client


def _writes(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].lstrip().lower().startswith(WRITES)]


@pytest.mark.django_db
@pytest.mark.parametrize(("pattern", "method"), list(_cases()))
def test_a_request_without_the_token_is_refused_and_writes_nothing(world, pattern, method):
    url, role = _url(world, pattern)
    client = _signed_in(world, role)
    with CaptureQueriesContext(connection) as queries:
        response = client.generic(method, url, "x=1", "application/x-www-form-urlencoded")
    assert response.status_code == 403, f"{method} {url} as {role}: {response.status_code}"
    assert b"CSRF" in response.content, "refused, but not by the CSRF check"
    assert not _writes(queries), f"{method} {url} wrote: {_writes(queries)}"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("key", "wanted"),
    [("beacon", 400), ("unsubscribe", 400), ("payments:webhook", 400), ("payments:sandbox", 404)],
)
def test_an_exempt_view_trusts_its_own_token_not_the_session(world, key, wanted):
    """Signed in, no CSRF token, no valid signature of their own: refused, nothing written."""
    pattern = next(p for p in PATTERNS if p.key == key)
    url, _ = _url(world, pattern)
    client = _signed_in(world, "owner")
    with CaptureQueriesContext(connection) as queries:
        response = client.post(url, {"token": "forged", "event": "end"})
    assert response.status_code == wanted
    assert not _writes(queries)
