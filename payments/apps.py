from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "payments"

    def ready(self):
        from . import booking  # noqa: F401  (registers its webhook handlers)
