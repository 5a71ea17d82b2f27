from django.urls import path

from . import views

urlpatterns = [
    # /beacon is routed in backstage/urls.py, before the long includes.
    path("how-we-count", views.how_we_count, name="how_we_count"),
]
