"""Buying, tipping, pricing and downloads (the Stripe webhook lives in payments/urls.py)."""

from django.urls import path

from . import views_fan

app_name = "checkout"

urlpatterns = [
    path("buy/<str:kind>/<str:public_id>/", views_fan.buy, name="buy"),
    path("@<str:slug>/tip", views_fan.tip, name="tip"),
    path("payments/<int:payment_id>/thanks", views_fan.thanks, name="thanks"),
    path("library/purchases/", views_fan.purchases, name="purchases"),
    path("purchases/<str:public_id>/download", views_fan.download, name="download"),
    path("purchases/file/<str:token>", views_fan.download_file, name="download_file"),
    path("studio/price/<str:kind>/<str:public_id>/", views_fan.price, name="price"),
]
