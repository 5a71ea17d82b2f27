from django.urls import path

from . import views
from .stripe_api import SANDBOX_MOUNT

app_name = "payments"

urlpatterns = [
    path("payments/webhook", views.webhook, name="webhook"),
    path("studio/payouts/", views.payouts, name="payouts"),
    path("studio/payouts/onboard", views.payouts_onboard, name="payouts_onboard"),
    path("studio/payouts/refresh", views.payouts_refresh, name="payouts_refresh"),
    path("studio/payouts/return", views.payouts, {"returned": True}, name="payouts_return"),
    path(f"{SANDBOX_MOUNT.strip('/')}/<path:path>", views.sandbox_page, name="sandbox"),
]
