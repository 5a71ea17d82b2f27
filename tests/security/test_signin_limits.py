"""Sign-in and sign-up floods are refused (allauth's ACCOUNT_RATE_LIMITS), the admin included."""

import types

import pytest
from allauth.core.internal import ratelimit
from django.urls import reverse

from backstage.models import User
from tests.security.conftest import PASSWORD, confirmed_user

LOCKED = "Too many failed sign-in attempts for this account"


@pytest.fixture
def clock(monkeypatch):
    """allauth's rate-limit clock, moved by hand (the cache entries stay; their times age)."""
    now = [ratelimit.time.time()]
    fake = types.SimpleNamespace(
        time=lambda: now[0], monotonic=ratelimit.time.monotonic, sleep=ratelimit.time.sleep
    )
    monkeypatch.setattr(ratelimit, "time", fake)

    def advance(seconds: float) -> None:
        now[0] += seconds

    return advance


def log_in(client, email, password, ip="203.0.113.7"):
    return client.post(
        reverse("account_login"), {"login": email, "password": password}, REMOTE_ADDR=ip
    )


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def fail_five_times(client, member, ips=("203.0.113.7",) * 5):
    for ip in ips:
        response = log_in(client, member.email, "wrong password", ip=ip)
        assert response.status_code == 200
        assert "not correct" in response.text


def test_five_failures_lock_the_account_with_a_clear_message(client, member):
    fail_five_times(client, member)

    response = log_in(client, member.email, "wrong password")

    assert response.status_code == 200  # the form again, with the lockout as its error
    assert LOCKED in response.text
    assert "not correct" not in response.text


def test_the_right_password_is_refused_while_locked_and_accepted_once_it_expires(
    client, member, clock
):
    fail_five_times(client, member)

    locked = log_in(client, member.email, PASSWORD)
    assert LOCKED in locked.text
    assert not signed_in(client)

    clock(4 * 60)  # still inside the 5-minute window
    assert LOCKED in log_in(client, member.email, PASSWORD).text
    assert not signed_in(client)

    clock(61)
    accepted = log_in(client, member.email, PASSWORD)
    assert accepted.status_code == 302
    assert signed_in(client)


def test_the_lock_is_per_account_whatever_address_the_attempts_come_from(client, member):
    fail_five_times(client, member, ips=[f"198.51.100.{n}" for n in range(1, 6)])

    response = log_in(client, member.email, PASSWORD, ip="192.0.2.99")

    assert LOCKED in response.text
    assert not signed_in(client)


def test_another_account_is_not_locked_by_someone_elses_failures(client, member):
    other = confirmed_user("other")
    fail_five_times(client, member)

    response = log_in(client, other.email, PASSWORD, ip="192.0.2.50")

    assert response.status_code == 302
    assert signed_in(client)


def test_one_address_trying_many_accounts_is_stopped_after_ten_failures(client, db):
    for n in range(10):
        response = log_in(client, f"victim{n}@example.com", "guess", ip="203.0.113.66")
        assert "not correct" in response.text

    response = log_in(client, "victim10@example.com", "guess", ip="203.0.113.66")

    assert "not correct" not in response.text
    assert "Too many" in response.text


def test_a_successful_sign_in_does_not_wipe_the_failures_before_it(client, member):
    """An attacker who knows one password cannot reset the account's counter with it."""
    for _ in range(4):
        log_in(client, member.email, "wrong password")
    assert log_in(client, member.email, PASSWORD).status_code == 302
    client.logout()

    log_in(client, member.email, "wrong password")
    response = log_in(client, member.email, PASSWORD)

    assert LOCKED in response.text
    assert not signed_in(client)


def sign_up(client, n, ip="203.0.113.9"):
    return client.post(
        reverse("account_signup"),
        {"email": f"new{n}@example.com", "password1": PASSWORD, "password2": PASSWORD},
        REMOTE_ADDR=ip,
    )


def test_a_sign_up_flood_from_one_address_gets_a_429_page_and_no_accounts(client, db):
    for n in range(20):
        assert sign_up(client, n).status_code == 302
    assert User.objects.count() == 20

    response = sign_up(client, 20)

    assert response.status_code == 429
    assert "Too many attempts" in response.text
    assert 'id="site-header"' in response.text  # the site's own page, not a bare one
    assert User.objects.count() == 20
    assert sign_up(client, 21, ip="198.51.100.20").status_code == 302  # others still can


# --- The admin -------------------------------------------------------------------------------


def test_the_admin_login_form_is_not_a_way_around_the_limits(client, staff):
    """Django's own admin form is gone: /admin/login/ sends people to allauth's."""
    page = client.get("/admin/login/?next=/admin/moderation/")
    posted = client.post("/admin/login/", {"username": staff.username, "password": PASSWORD})

    assert page.status_code == 302
    assert page["Location"] == reverse("account_login") + "?next=%2Fadmin%2Fmoderation%2F"
    assert posted.status_code == 302
    assert not signed_in(client)


def test_the_admin_signs_in_through_allauth_and_lands_in_the_admin(client, staff):
    response = client.post(
        reverse("account_login") + "?next=/admin/",
        {"login": staff.email, "password": PASSWORD, "next": "/admin/"},
    )

    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_admin_sign_in_failures_lock_the_staff_account_too(client, staff):
    for _ in range(5):
        log_in(client, staff.email, "wrong password")

    response = log_in(client, staff.email, PASSWORD)

    assert LOCKED in response.text
    assert client.get("/admin/").status_code == 302


def test_a_signed_in_member_without_staff_rights_is_told_the_admin_is_not_for_them(client, member):
    client.force_login(member)

    admin = client.get("/admin/", follow=True)

    assert admin.status_code == 403
    assert "no access to the admin" in admin.text


def test_the_admin_login_ignores_a_next_address_on_another_site(client, staff):
    response = client.get("/admin/login/?next=https://evil.example/")

    assert response["Location"] == reverse("account_login") + "?next=%2Fadmin%2F"
