import os
import uuid

import pytest

REDIS_URL = os.getenv("ANALYTICS_TEST_REDIS_URL", "redis://127.0.0.1:6379/14")


@pytest.fixture(autouse=True)
def _no_redis(settings):
    """The embedded default (database buffer) unless a test points REDIS_URL somewhere."""
    settings.REDIS_URL = ""


@pytest.fixture
def redis_buffer(settings):
    """Beacons buffered in a real Redis, in a stream of this test's own (tests run in
    parallel); yields the client."""
    from analytics import buffer

    settings.REDIS_URL = REDIS_URL
    settings.BEACON_STREAM_KEY = f"test:beacons:{uuid.uuid4().hex}"
    client = buffer._redis()
    try:
        yield client
    finally:
        client.delete(settings.BEACON_STREAM_KEY)


@pytest.fixture
def issued_a_minute_ago(monkeypatch):
    """Play tokens issued as if a minute ago: a test's beacons then arrive after real time
    has passed (the drain refuses to hear more than the server's clock allows)."""
    import time
    from types import SimpleNamespace

    from analytics import tokens

    monkeypatch.setattr(tokens, "time", SimpleNamespace(time=lambda: time.time() - 60))
