from django.apps import AppConfig


class BackstageConfig(AppConfig):
    name = "backstage"
    verbose_name = "Accounts and site"
