"""Redis down: the cache misses and rate limits let requests through; pages keep coming."""

import socket

import pytest
from django.core.cache import cache

from backstage import limits


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again on return: nothing listens there


@pytest.fixture
def redis_down(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "backstage.cache.ResilientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{_closed_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    settings.PAGE_CACHE = True


def test_the_cache_misses_instead_of_failing(redis_down):
    cache.set("greeting", "hello")

    assert cache.get("greeting", "missed") == "missed"
    assert cache.add("greeting", "hello") is False
    assert cache.get_many(["greeting"]) == {}
    with pytest.raises(ValueError):
        cache.incr("greeting")


def test_rate_limits_let_requests_through(redis_down):
    one_a_minute = [(limits.Limit(1, 60, "Slow down."), "listener-1")]

    limits.take("test.try", one_a_minute)
    limits.take("test.try", one_a_minute)  # no TooMany: nothing could be counted


@pytest.mark.django_db
def test_pages_are_served_uncached(client, redis_down, artist):
    assert client.get("/").status_code == 200
    assert client.get(artist.get_absolute_url()).status_code == 200
