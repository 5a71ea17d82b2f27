"""The cast every test can use, and settings that keep tests apart from each other."""

import pytest

from tests.factories import ArtistFactory, UserFactory


def storages_in(folder, storages: dict) -> dict:
    """`storages` with public media and audio kept in `folder`."""
    return {
        **storages,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": folder / "public", "base_url": "/media/"},
        },
        "audio": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": folder / "audio", "base_url": None},
        },
    }


@pytest.fixture(autouse=True)
def _isolated_media(settings, tmp_path):
    """Each test gets its own media folders (unless a full-stack test points them at S3)."""
    if not settings.S3_BUCKET:
        settings.STORAGES = storages_in(tmp_path, settings.STORAGES)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Real password hashing costs about a second per user made by the factories."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _empty_cache():
    """Cached pages and rate-limit counters never leak from one test into the next."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def artist(db):
    """An artist (the owner of the music in most tests)."""
    return ArtistFactory(name="Mira Sol", slug="mira-sol")


@pytest.fixture
def fan(db):
    return UserFactory(username="fan", email="fan@example.com")


@pytest.fixture
def outsider(db):
    return UserFactory(username="outsider", email="outsider@example.com")


@pytest.fixture
def admin_user(db):
    return UserFactory(
        username="admin", email="admin@example.com", is_staff=True, is_superuser=True
    )


@pytest.fixture
def artist_client(client, artist):
    client.force_login(artist.user)
    return client


@pytest.fixture
def staff_client(client, admin_user):
    client.force_login(admin_user)
    return client
