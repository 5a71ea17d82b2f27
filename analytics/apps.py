from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "analytics"

    def ready(self):
        from . import lookups, signals  # noqa: F401 (they register a lookup, receivers)
