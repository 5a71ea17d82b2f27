"""Members who can sign in with a password (a confirmed e-mail address), and the world the
permission matrix and the CSRF walk request URLs in."""

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import transaction
from django.test import override_settings

from tests.conftest import storages_in
from tests.factories import UserFactory

from .urlwalk import build_world

PASSWORD = "correct horse battery"  # tests.factories.UserFactory's


def confirmed_user(username: str, **fields):
    user = UserFactory(username=username, email=f"{username}@example.com", **fields)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


@pytest.fixture
def member(db):
    return confirmed_user("member")


@pytest.fixture
def staff(db):
    return confirmed_user("staff", is_staff=True)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The cast and objects in every state, built once per module in a transaction that is
    rolled back after it: each test runs inside it (pytest-django's savepoint), so what one
    request changes is undone before the next test. Files go to a temporary folder."""
    storages = storages_in(tmp_path_factory.mktemp("matrix-media"), settings.STORAGES)
    with (
        django_db_blocker.unblock(),
        override_settings(STORAGES=storages),
        transaction.atomic(),
    ):
        yield build_world()
        transaction.set_rollback(True)
