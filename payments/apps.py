from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "payments"

    def ready(self) -> None:
        # Webhook handlers register themselves when their module is imported.
        from . import booking, checks, connect, payouts, supporters  # noqa: F401
