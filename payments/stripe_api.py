"""The one place Backstage gets a Stripe client: real Stripe, or the sandbox (PAYMENTS_SANDBOX)."""

import stripe
from django.conf import settings

SANDBOX_MOUNT = "/_sandbox/stripe"


def stripe_client() -> stripe.StripeClient:
    """A client configured from settings. Its API base is STRIPE_API_BASE when set, else the
    in-process sandbox on this site when PAYMENTS_SANDBOX, else Stripe itself."""
    base = settings.STRIPE_API_BASE
    if not base and settings.PAYMENTS_SANDBOX:
        base = settings.SITE_URL + SANDBOX_MOUNT
    options = {"base_addresses": {"api": base}} if base else {}
    return stripe.StripeClient(settings.STRIPE_SECRET_KEY, max_network_retries=2, **options)
