from django.apps import AppConfig


class TracksConfig(AppConfig):
    name = "tracks"

    def ready(self):
        from . import signals  # noqa: F401
