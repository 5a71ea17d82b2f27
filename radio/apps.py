from django.apps import AppConfig


class RadioConfig(AppConfig):
    name = "radio"

    def ready(self) -> None:
        from . import signals  # noqa: F401
