from django.apps import AppConfig


class PlaylistsConfig(AppConfig):
    name = "playlists"
    verbose_name = "Playlists and libraries"

    def ready(self):
        from . import signals  # noqa: F401
