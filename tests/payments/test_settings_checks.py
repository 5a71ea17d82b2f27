"""Which Stripe key means real money, and the deploy check on the sandbox's webhook secret."""

import os
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from payments.checks import check_webhook_secret


def sandbox_with_key(key: str) -> str:
    """PAYMENTS_SANDBOX as settings.py derives it in a fresh process with STRIPE_SECRET_KEY."""
    code = (
        "import django,os;os.environ['DJANGO_SETTINGS_MODULE']='backstage.settings';"
        "django.setup();from django.conf import settings;print(settings.PAYMENTS_SANDBOX)"
    )
    env = {**os.environ, "STRIPE_SECRET_KEY": key}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    return out.stdout.strip() or out.stderr


@pytest.mark.parametrize(
    ("key", "sandbox"),
    [
        ("rk_live_51Hxxxxxxxxxxxxxxxxxx", "False"),
        ("rk_test_51Hxxxxxxxxxxxxxxxxxx", "False"),
        ("sk_live_51Hxxxxxxxxxxxxxxxxxx", "False"),
        ("sk_test_51Hxxxxxxxxxxxxxxxxxx", "False"),
        ("sk_test_sandbox", "True"),
        ("pk_live_51Hxxxxxxxxxxxxxxxxxx", "True"),  # a publishable key cannot charge anyone
    ],
)
def test_any_real_secret_or_restricted_key_switches_the_sandbox_off(key, sandbox):
    assert sandbox_with_key(key) == sandbox


def test_the_published_webhook_secret_is_refused_with_a_real_key(settings):
    settings.PAYMENTS_SANDBOX = False
    settings.STRIPE_WEBHOOK_SECRET = f"whsec_real, {settings.STRIPE_SANDBOX_WEBHOOK_SECRET}"
    [error] = check_webhook_secret()
    assert error.id == "payments.E001"
    with pytest.raises(SystemCheckError, match="sandbox's published secret"):
        call_command("check", "--deploy", "--fail-level", "ERROR", "--tag", "security")


def test_the_published_webhook_secret_is_fine_for_the_sandbox(settings):
    settings.PAYMENTS_SANDBOX = True
    settings.STRIPE_WEBHOOK_SECRET = settings.STRIPE_SANDBOX_WEBHOOK_SECRET
    assert check_webhook_secret() == []
    settings.PAYMENTS_SANDBOX = False
    settings.STRIPE_WEBHOOK_SECRET = "whsec_from_the_dashboard"
    assert check_webhook_secret() == []
