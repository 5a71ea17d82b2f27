"""A small Stripe-compatible server for tests and the offline demo (see docs/payments.md).

It speaks the parts of Stripe's v1 HTTP API that Backstage uses, so the official `stripe`
library talks to it unchanged once its API base points here. Plain WSGI, no Django.
"""

from .app import Sandbox

__all__ = ["Sandbox"]
