from django.apps import AppConfig


class TakedownsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "takedowns"
    verbose_name = "Copyright"
