"""POST /beacon through the WSGI application as gunicorn calls it: the short way (the beacon
view behind only the middleware that shapes its answer) must answer exactly as the full stack."""

import io
import json

import pytest
from django.conf import settings
from django.core import signals
from django.db import close_old_connections
from django.utils.csp import build_policy

from analytics import buffer, tokens
from analytics.handler import with_beacon_path
from analytics.models import BufferedBeacon
from backstage.wsgi import application, django_application
from tests.analytics.test_beacons import UA, beacon, closed_port, start
from tests.factories import TrackFactory

pytestmark = pytest.mark.django_db
# Headers the security middleware add to every answer, beacons included.
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}
# The site's whole policy (settings.SECURE_CSP), beacons included.
SECURITY_HEADERS["Content-Security-Policy"] = build_policy(settings.SECURE_CSP)


@pytest.fixture
def track():
    return TrackFactory(duration=200.0)


def call(app, body=b"", *, method="POST", host="testserver", **meta) -> tuple[int, dict, bytes]:
    """(status, headers, body) of one request through a WSGI `app`. Like Django's test client,
    keeps request_finished from closing the test's database connection mid-transaction."""
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    environ = {
        "REQUEST_METHOD": method, "PATH_INFO": "/beacon", "SCRIPT_NAME": "", "QUERY_STRING": "",
        "SERVER_NAME": "testserver", "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": host, "REMOTE_ADDR": "203.0.113.9", "HTTP_USER_AGENT": UA,
        "CONTENT_TYPE": "text/plain", "CONTENT_LENGTH": str(len(data)),
        "wsgi.input": io.BytesIO(data), "wsgi.url_scheme": "http", "wsgi.errors": io.StringIO(),
        **meta,
    }  # fmt: skip
    answer = {}

    def start_response(status, headers, exc_info=None):
        answer.update(status=int(status.split()[0]), headers=dict(headers))

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        response = app(environ, start_response)
        content = b"".join(response)
        response.close()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)
    return answer["status"], answer["headers"], content


def test_a_valid_beacon_takes_the_short_way_into_redis_with_the_security_headers(
    client, track, redis_buffer, django_assert_num_queries
):
    body = beacon(start(client, track))
    with django_assert_num_queries(0):
        status, headers, content = call(application, body)
    assert (status, content) == (204, b"")
    assert SECURITY_HEADERS.items() <= headers.items()
    assert [entry["event"] for entry in buffer.take(10).entries] == ["start"]


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"x" * 3000, {"token": "forged:sig", "seq": 0, "event": "start",
                                 "position": 0, "at": 0}],
    ids=["malformed", "oversized", "forged"],
)  # fmt: skip
def test_refusals_are_the_same_answer_as_through_the_full_stack(client, redis_buffer, body):
    short = call(application, body)
    full = call(django_application, body)
    assert short[0] == full[0] == 400
    assert short[2] == full[2] and b"error" in short[2]
    assert short[1] == full[1]
    assert SECURITY_HEADERS.items() <= short[1].items()
    assert buffer.waiting() == 0


def test_a_host_not_allowed_is_refused_and_buffers_nothing(client, track, redis_buffer):
    status, _, _ = call(application, beacon(start(client, track)), host="evil.example")
    assert status == 400
    assert buffer.waiting() == 0


def test_other_methods_go_the_usual_way(client):
    status, headers, _ = call(application, method="GET")
    assert (status, headers["Allow"]) == (405, "POST")


def test_plain_http_is_redirected_to_https_when_the_site_requires_it(
    client, track, redis_buffer, settings
):
    body = beacon(start(client, track))
    settings.SECURE_SSL_REDIRECT, settings.SECURE_HSTS_SECONDS = True, 3600
    app = with_beacon_path(django_application)  # middleware read settings when built
    status, headers, _ = call(app, body)
    assert (status, headers["Location"]) == (301, "https://testserver/beacon")
    assert buffer.waiting() == 0
    status, headers, _ = call(app, body, HTTP_X_FORWARDED_PROTO="https")
    assert status == 204
    assert headers["Strict-Transport-Security"].startswith("max-age=3600")


def test_behind_a_trusted_proxy_the_forwarded_address_is_the_listeners(
    client, track, redis_buffer, settings
):
    settings.TRUSTED_PROXY_COUNT = 1
    forwarded = {"HTTP_X_FORWARDED_FOR": "198.51.100.7, 192.0.2.1"}
    assert call(application, beacon(start(client, track)), **forwarded)[0] == 204
    (entry,) = buffer.take(10).entries
    assert entry["ip"] == tokens._digest("ip:192.0.2.1")


def test_with_redis_down_the_short_way_falls_back_to_the_database(client, track, settings):
    body = beacon(start(client, track))
    settings.REDIS_URL = f"redis://127.0.0.1:{closed_port()}/14"
    assert call(application, body)[0] == 204
    assert BufferedBeacon.objects.get().via_fallback
    assert buffer.fallback_count() == 1


def test_a_connection_redis_dropped_is_reopened_not_given_up(client, track, redis_buffer):
    token = start(client, track)
    assert call(application, beacon(token))[0] == 204
    own = buffer._own_connection(redis_buffer)
    own.send_command("CLIENT", "ID")
    redis_buffer.client_kill_filter(_id=own.read_response())  # as a Redis restart would
    assert call(application, beacon(token, seq=1, event="progress", position=10))[0] == 204
    assert buffer.fallback_count() == 0
    assert [entry["seq"] for entry in buffer.take(10).entries] == [0, 1]
