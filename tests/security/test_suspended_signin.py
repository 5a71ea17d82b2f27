"""A suspended account cannot sign in, and a session it still has ends on its next request."""

import re

import pytest
from django.contrib.auth import authenticate
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from backstage.models import User
from moderation import actions
from tests.security.conftest import PASSWORD

NEW_PASSWORD = "a whole new tune 42"
SUSPENDED = "This account is suspended"


@pytest.fixture
def suspended(member, admin_user):
    actions.suspend_user(user=member, actor=admin_user, note="Spam in comments")
    return member


def signed_in_user_id(client):
    return client.session.get("_auth_user_id")


def log_in(client, email, password=PASSWORD, **extra):
    return client.post(
        reverse("account_login"), {"login": email, "password": password}, follow=True, **extra
    )


def test_a_member_in_good_standing_signs_in(client, member):
    response = log_in(client, member.email)

    assert response.status_code == 200
    assert signed_in_user_id(client) == str(member.pk)


def test_a_suspended_member_is_refused_and_told_why_and_whom_to_contact(
    client, suspended, settings
):
    settings.SUPPORT_EMAIL = "help@backstage.example"

    response = log_in(client, suspended.email)

    assert signed_in_user_id(client) is None
    assert response.status_code == 200
    assert SUSPENDED in response.text
    assert "help@backstage.example" in response.text
    assert response.redirect_chain[-1][0] == reverse("account_login")


def test_a_wrong_password_for_a_suspended_account_reveals_nothing(client, suspended):
    response = log_in(client, suspended.email, password="not the password")

    assert signed_in_user_id(client) is None
    assert SUSPENDED not in response.text
    assert "not correct" in response.text


def test_django_authenticate_refuses_a_suspended_account_by_username_and_by_email(suspended):
    """The backends themselves refuse (scripts, the admin's form, anything calling
    authenticate())."""
    assert authenticate(username=suspended.username, password=PASSWORD) is None
    assert authenticate(email=suspended.email, password=PASSWORD) is None


def test_an_open_session_ends_on_the_next_request_with_a_page_saying_why(
    client, member, admin_user
):
    client.force_login(member)
    assert client.get(reverse("home")).status_code == 200

    actions.suspend_user(user=member, actor=admin_user, note="Impersonation")
    response = client.get(reverse("notifications:inbox"))

    assert response.status_code == 403
    assert SUSPENDED in response.text
    assert signed_in_user_id(client) is None
    after = client.get(reverse("notifications:inbox"))
    assert after.status_code == 302  # anonymous now: sent to the sign-in page
    assert after["Location"].startswith(reverse("account_login"))


def test_an_open_session_ends_on_an_htmx_request_by_going_to_the_sign_in_page(
    client, member, admin_user
):
    client.force_login(member)
    actions.suspend_user(user=member, actor=admin_user, note="Spam")

    response = client.get(reverse("notifications:inbox"), headers={"HX-Request": "true"})

    assert response["HX-Redirect"] == reverse("account_login")
    assert signed_in_user_id(client) is None
    login_page = client.get(reverse("account_login"))
    assert SUSPENDED in login_page.text


def test_a_suspended_member_cannot_post_with_a_session_opened_before(client, member, admin_user):
    client.force_login(member)
    actions.suspend_user(user=member, actor=admin_user, note="Spam")

    response = client.post(reverse("account_preferences"), {})  # both boxes unticked

    assert response.status_code == 403
    assert SUSPENDED in response.text
    assert signed_in_user_id(client) is None
    member.refresh_from_db()
    assert (member.email_new_releases, member.public_profile) == (True, True)  # unchanged


def test_lifting_the_suspension_lets_them_sign_in_again(client, suspended, admin_user):
    actions.unsuspend_user(user=suspended, actor=admin_user, note="Appeal accepted")

    log_in(client, suspended.email)

    assert signed_in_user_id(client) == str(suspended.pk)


def test_a_password_reset_does_not_lift_a_suspension(client, suspended):
    client.post(reverse("account_reset_password"), {"email": suspended.email})
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/[^\s]+/)", mail.outbox[0].body)
    assert link, mail.outbox[0].body
    form_url = client.get(link.group(1), follow=True).redirect_chain[-1][0]

    done = client.post(
        form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}, follow=True
    )

    assert done.status_code == 200
    suspended.refresh_from_db()
    assert suspended.check_password(NEW_PASSWORD)  # the reset itself worked...
    assert suspended.suspended_at is not None  # ...and changed nothing else
    assert signed_in_user_id(client) is None
    refused = log_in(client, suspended.email, password=NEW_PASSWORD)
    assert signed_in_user_id(client) is None
    assert SUSPENDED in refused.text


def test_confirming_an_email_address_does_not_sign_a_suspended_member_in(client, db, admin_user):
    client.post(
        reverse("account_signup"),
        {"email": "new@example.com", "password1": PASSWORD, "password2": PASSWORD},
    )
    user = User.objects.get(email="new@example.com")
    User.objects.filter(pk=user.pk).update(suspended_at=timezone.now())
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+/)", mail.outbox[0].body)

    response = client.post(link.group(1), follow=True)

    assert signed_in_user_id(client) is None
    assert SUSPENDED in response.text


def test_the_suspension_check_costs_no_query(client, member, settings):
    """It reads the user Django loads anyway: a signed-in page asks the database no more with
    the middleware than without it."""
    client.force_login(member)
    url = reverse("notifications:inbox")
    client.get(url)  # warm: the first request may fill caches

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    with_check = queries()
    settings.MIDDLEWARE = [
        m for m in settings.MIDDLEWARE if m != "backstage.signin.SuspendedSignOutMiddleware"
    ]
    without_check = queries()

    assert with_check == without_check


@pytest.mark.parametrize(
    "old_backend",
    [
        "django.contrib.auth.backends.ModelBackend",
        "allauth.account.auth_backends.AuthenticationBackend",
    ],
)
def test_sessions_opened_before_the_new_backends_stay_signed_in(client, member, old_backend):
    """Deploying this must not sign everyone out: a session naming a stock backend is kept."""
    client.force_login(member, backend=old_backend)

    response = client.get(reverse("notifications:inbox"))

    assert response.status_code == 200
    assert client.session["_auth_user_backend"].startswith("backstage.signin.")
    assert signed_in_user_id(client) == str(member.pk)


def test_a_session_of_a_suspended_member_on_an_old_backend_ends_too(client, member, admin_user):
    client.force_login(member, backend="django.contrib.auth.backends.ModelBackend")
    actions.suspend_user(user=member, actor=admin_user, note="Spam")

    response = client.get(reverse("notifications:inbox"))

    assert response.status_code == 403
    assert signed_in_user_id(client) is None
