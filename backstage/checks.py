"""Deploy checks of our own (`manage.py check --deploy`), next to Django's."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def check_shared_rate_limit_cache(app_configs, **kwargs):
    """Sign-in limits (and backstage/limits.py) count in the cache: a per-process cache gives
    every gunicorn worker its own count, multiplying the attempts an attacker gets."""
    backend = settings.CACHES["default"]["BACKEND"]
    if settings.DEBUG or not backend.endswith(("LocMemCache", "DummyCache")):
        return []
    return [
        Warning(
            "The default cache is per process, so sign-in and other rate limits are counted "
            "per process (each web worker gives an attacker a fresh count).",
            hint="Set REDIS_URL (the cache every web process shares).",
            id="backstage.W001",
        )
    ]
