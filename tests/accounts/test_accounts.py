"""Signing up, confirming the e-mail address, logging in and out, and resetting a password."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from backstage.models import User

PASSWORD = "correct horse battery"
NEW_PASSWORD = "a whole new tune 42"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """allauth counts attempts in the cache; each test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def verified_fan(fan):
    EmailAddress.objects.create(user=fan, email=fan.email, verified=True, primary=True)
    return fan


def link_in(message, pattern: str) -> str:
    """The path of the first link in `message` whose path matches `pattern`."""
    match = re.search(rf"https?://[^/\s]+({pattern})", message.body)
    assert match, message.body
    return match.group(1)


def logged_in_user(client) -> User | None:
    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id) if user_id else None


def sign_up(client, email="new@example.com", password=PASSWORD):
    return client.post(
        reverse("account_signup"), {"email": email, "password1": password, "password2": password}
    )


def log_in(client, email, password=PASSWORD):
    return client.post(reverse("account_login"), {"login": email, "password": password})


# --- Pages ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["account_login", "account_signup", "account_reset_password", "account_logout"]
)
def test_account_pages_render_inside_the_site_layout_with_the_player(client, db, name):
    response = client.get(reverse(name), follow=True)

    assert response.status_code == 200
    assert 'id="player"' in response.text
    assert 'id="site-header"' in response.text


# --- Signing up ----------------------------------------------------------------------------------


def test_signing_up_sends_a_confirmation_and_the_link_logs_you_in(client, db):
    response = sign_up(client)

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert logged_in_user(client) is None
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["new@example.com"]
    assert message.subject.startswith("[Backstage]")
    confirm = link_in(message, r"/accounts/confirm-email/[^\s]+/")

    page = client.get(confirm)  # a GET only shows the button (mail scanners follow links)
    assert page.status_code == 200
    assert not EmailAddress.objects.get(email="new@example.com").verified
    confirmed = client.post(confirm)

    assert confirmed.status_code == 302
    assert EmailAddress.objects.get(email="new@example.com").verified
    assert logged_in_user(client).email == "new@example.com"


def test_signing_up_with_a_taken_email_reveals_nothing_and_warns_the_owner(client, verified_fan):
    response = sign_up(client, email=verified_fan.email)

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert User.objects.filter(email=verified_fan.email).count() == 1
    assert logged_in_user(client) is None
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [verified_fan.email]
    assert "already" in mail.outbox[0].body


def test_a_weak_password_is_refused_with_a_message(client, db):
    response = sign_up(client, password="12345678")

    assert response.status_code == 200
    assert "This password is too common." in response.text
    assert not User.objects.exists()
    assert mail.outbox == []


def test_an_unconfirmed_address_cannot_log_in_yet(client, fan):
    response = log_in(client, fan.email)

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert logged_in_user(client) is None
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [fan.email]


# --- Logging in and out --------------------------------------------------------------------------


def test_a_listener_logs_in_with_their_email_and_out_again(client, verified_fan):
    response = log_in(client, "FAN@example.com")

    assert response.status_code == 302
    assert logged_in_user(client) == verified_fan

    logged_out = client.post(reverse("account_logout"))

    assert logged_out.status_code == 302 and logged_out["Location"] == "/"
    assert logged_in_user(client) is None


def test_a_wrong_password_is_refused_with_a_message(client, verified_fan):
    response = log_in(client, verified_fan.email, password="not it")

    assert response.status_code == 200
    assert "The email address and/or password you specified are not correct." in response.text
    assert logged_in_user(client) is None


def test_a_get_to_logout_only_asks_for_confirmation(client, verified_fan):
    client.force_login(verified_fan)

    page = client.get(reverse("account_logout"))

    assert page.status_code == 200
    assert logged_in_user(client) == verified_fan


# --- Resetting a password ------------------------------------------------------------------------


def test_a_password_reset_email_lets_you_set_a_new_password(client, verified_fan):
    requested = client.post(reverse("account_reset_password"), {"email": verified_fan.email})

    assert requested.status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [verified_fan.email]
    key_link = link_in(mail.outbox[0], r"/accounts/password/reset/key/[^\s]+/")
    form = client.get(key_link, follow=True)
    assert form.status_code == 200
    set_password_url = form.redirect_chain[-1][0] if form.redirect_chain else key_link
    done = client.post(set_password_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    assert done.status_code == 302
    verified_fan.refresh_from_db()
    assert verified_fan.check_password(NEW_PASSWORD)
    assert log_in(client, verified_fan.email, password=PASSWORD).status_code == 200
    assert log_in(client, verified_fan.email, password=NEW_PASSWORD).status_code == 302
    assert logged_in_user(client) == verified_fan


def test_a_reset_link_works_only_once(client, verified_fan):
    client.post(reverse("account_reset_password"), {"email": verified_fan.email})
    key_link = link_in(mail.outbox[0], r"/accounts/password/reset/key/[^\s]+/")
    form = client.get(key_link, follow=True)
    set_password_url = form.redirect_chain[-1][0] if form.redirect_chain else key_link
    client.post(set_password_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    again = client.get(key_link, follow=True)

    assert "The password reset link was invalid" in again.text
    client.post(key_link, {"password1": "x" * 12, "password2": "x" * 12}, follow=True)
    verified_fan.refresh_from_db()
    assert verified_fan.check_password(NEW_PASSWORD)


def test_a_reset_for_an_unknown_address_reveals_nothing(client, db):
    response = client.post(reverse("account_reset_password"), {"email": "nobody@example.com"})

    assert response.status_code == 302
    assert response["Location"] == reverse("account_reset_password_done")
