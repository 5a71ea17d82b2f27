from django.apps import AppConfig


class BackstageConfig(AppConfig):
    name = "backstage"
    verbose_name = "Accounts and site"

    def ready(self):
        from . import checks  # noqa: F401  (registers the deploy checks)
