"""Under production settings (DEBUG off, as `make check-deploy` sets them): cookies only over
HTTPS, HSTS with preload and subdomains, HTTP redirected to HTTPS, `check --deploy` clean.

Settings are read once per process, so each test starts a Python with the production
environment, as a deployment would."""

import json
import os
import subprocess
import sys

from django.conf import settings

# The environment of `make check-deploy` (docker-compose's shape: nothing is contacted).
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "x7Qp2mZ9vT4kR8sW1yB6nD3fH5jL0cX" * 2,
    "ALLOWED_HOSTS": "example.org",
    "DATABASE_URL": "postgres://backstage@postgres/backstage",
    "REDIS_URL": "redis://redis:6379/0",
    "S3_BUCKET": "backstage",
    "S3_ENDPOINT_URL": "http://minio:9000",
    "EMAIL_HOST": "smtp.example.org",
}


def run_python(code: str, **env) -> subprocess.CompletedProcess:
    environ = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/tmp"),
        "DJANGO_SETTINGS_MODULE": "backstage.settings",
        **env,
    }
    return subprocess.run(
        [sys.executable, *code], env=environ, capture_output=True, text=True, cwd=settings.BASE_DIR
    )


def production_settings(*names: str, **env) -> dict:
    code = (
        "import django, json; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n) for n in {list(names)!r}}}))"
    )
    done = run_python(["-c", code], **{**PRODUCTION, **env})
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_cookies_are_sent_only_over_https_and_hidden_from_scripts():
    values = production_settings(
        "DEBUG", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY"
    )

    assert values == {
        "DEBUG": False,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
    }


def test_hsts_for_a_year_with_subdomains_and_preload_and_http_redirected():
    values = production_settings(
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_HSTS_PRELOAD",
        "SECURE_SSL_REDIRECT",
        "SECURE_PROXY_SSL_HEADER",
    )

    assert values["SECURE_HSTS_SECONDS"] >= 31536000  # what the preload list asks for
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SECURE_HSTS_PRELOAD"] is True
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_the_embedded_default_stays_on_plain_http():
    """Without DEBUG=false (make run) nothing insists on HTTPS, or localhost would break."""
    values = production_settings(
        "SESSION_COOKIE_SECURE", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", DEBUG="true"
    )

    assert values == {
        "SESSION_COOKIE_SECURE": False,
        "SECURE_SSL_REDIRECT": False,
        "SECURE_HSTS_SECONDS": 0,
    }


# What a browser gets from the production settings, through Django's test client (no database:
# the pages asked for read none).
RESPONSES = """
import django, json
django.setup()
from django.conf import settings
from django.test import Client, override_settings
# The manifest of collected static files is built with the image; not needed for headers.
static = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
override_settings(STORAGES={**settings.STORAGES, "staticfiles": static}).enable()
c = Client(HTTP_HOST="example.org")
plain = c.get("/ping")
proxied = c.get("/ping", HTTP_X_FORWARDED_PROTO="https")
login = c.get("/accounts/login/", secure=True)
print(json.dumps({
    "plain": [plain.status_code, plain.get("Location")],
    "hsts": proxied.get("Strict-Transport-Security"),
    "csrf_cookie": {k: login.cookies["csrftoken"][k] for k in ("secure", "httponly", "samesite")},
    "csp": login.get("Content-Security-Policy"),
}))
"""


def test_a_browser_is_sent_to_https_and_told_to_stay_there():
    done = run_python(
        ["-c", RESPONSES], **{**PRODUCTION, "DATABASE_URL": "sqlite:////nonexistent/db"}
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])

    assert seen["plain"] == [301, "https://example.org/ping"]
    assert seen["hsts"] == "max-age=31536000; includeSubDomains; preload"
    assert seen["csrf_cookie"]["secure"] is True
    assert seen["csrf_cookie"]["samesite"] == "Lax"
    assert "script-src 'self'" in seen["csp"]


def test_check_deploy_is_clean_at_warning_level():
    done = run_python(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **PRODUCTION)

    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


def test_check_deploy_warns_when_rate_limits_would_be_counted_per_process():
    without_redis = {k: v for k, v in PRODUCTION.items() if k != "REDIS_URL"}

    done = run_python(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **without_redis
    )

    assert done.returncode != 0
    assert "backstage.W001" in done.stdout + done.stderr


def test_a_deployment_s_s3_and_stripe_origins_are_in_the_policy():
    """Pictures, audio and uploads go to the S3 endpoint browsers see; payment forms lead to
    Stripe's hosted pages with a real key."""
    policy = production_settings(
        "SECURE_CSP",
        S3_PUBLIC_ENDPOINT_URL="https://media.example.org/",
        STRIPE_SECRET_KEY="sk_live_" + "k" * 24,
    )["SECURE_CSP"]

    for directive in ("img-src", "media-src", "connect-src"):
        assert policy[directive] == ["'self'", "https://media.example.org"]
    assert policy["script-src"] == ["'self'"]
    assert policy["form-action"] == [
        "'self'",
        "https://checkout.stripe.com",
        "https://connect.stripe.com",
        "https://billing.stripe.com",
    ]


def test_payment_forms_may_lead_to_a_sandbox_on_its_own_origin():
    """docker-compose's sandbox: the web reaches its API by one name, browsers its hosted
    checkout by another."""
    sandbox = {
        "STRIPE_API_BASE": "http://stripe-sandbox:12111",
        "STRIPE_SANDBOX_PUBLIC_URL": "http://localhost:12111",
    }

    policy = production_settings("SECURE_CSP", **sandbox)["SECURE_CSP"]

    assert policy["form-action"] == ["'self'", "http://localhost:12111"]
