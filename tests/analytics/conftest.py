import pytest


@pytest.fixture(autouse=True)
def _no_redis(settings):
    """The embedded default (database buffer) unless a test points REDIS_URL somewhere."""
    settings.REDIS_URL = ""
