"""Deploy checks of the payments settings (`manage.py check --deploy`)."""

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def check_webhook_secret(app_configs=None, **kwargs) -> list[Error]:
    """With a real Stripe key, the sandbox's webhook secret (published in this repository)
    would let anyone sign events that book payments: refuse it."""
    if settings.PAYMENTS_SANDBOX:
        return []
    secrets = {s.strip() for s in settings.STRIPE_WEBHOOK_SECRET.split(",")}
    if settings.STRIPE_SANDBOX_WEBHOOK_SECRET not in secrets:
        return []
    return [
        Error(
            "STRIPE_WEBHOOK_SECRET is the sandbox's published secret, "
            "but a real Stripe key is set.",
            hint="Set STRIPE_WEBHOOK_SECRET to the signing secret of your Stripe endpoint.",
            id="payments.E001",
        )
    ]
