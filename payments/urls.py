from django.urls import path

from . import views, views_earnings
from .stripe_api import SANDBOX_MOUNT

app_name = "payments"

urlpatterns = [
    path("payments/webhook", views.webhook, name="webhook"),
    path("studio/payouts/", views.payouts, name="payouts"),
    path("studio/payouts/onboard", views.payouts_onboard, name="payouts_onboard"),
    path("studio/payouts/refresh", views.payouts_refresh, name="payouts_refresh"),
    path("studio/payouts/return", views.payouts, {"returned": True}, name="payouts_return"),
    path("studio/earnings/", views_earnings.earnings_page, name="earnings"),
    path(
        "studio/earnings/statement/<int:year>-<int:month>/",
        views_earnings.statement_page,
        name="statement",
    ),
    path(
        "studio/earnings/statement/<int:year>-<int:month>.csv",
        views_earnings.statement_csv,
        name="statement_csv",
    ),
    path(f"{SANDBOX_MOUNT.strip('/')}/<path:path>", views.sandbox_page, name="sandbox"),
]
