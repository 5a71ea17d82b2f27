"""Two artists who write to each other, and a third who is not part of it."""

import uuid

import pytest

from messaging import services
from tests.factories import ArtistFactory

HTMX = {"HX-Request": "true"}


@pytest.fixture
def ana(db):
    return ArtistFactory(name="Ana Vox", slug="ana-vox")


@pytest.fixture
def bo(db):
    return ArtistFactory(name="Bo Beats", slug="bo-beats")


@pytest.fixture
def cy(db):
    return ArtistFactory(name="Cy Strings", slug="cy-strings")


@pytest.fixture
def no_limits(monkeypatch):
    """Lift the rate limits for tests that set up many messages."""
    from backstage.limits import Limit
    from messaging import limits

    monkeypatch.setattr(
        limits, "LIMITS", {action: (Limit(10**6, 60, "-"),) for action in limits.LIMITS}
    )


def send(sender, recipient, body="Hello"):
    """A message sent through the service, as a fresh form would."""
    message, _created = services.send_message(
        sender=sender.user, recipient=recipient.user, body=body, token=uuid.uuid4()
    )
    return message


def form(body="Hello", **extra):
    return {"body": body, "token": str(uuid.uuid4()), **extra}
