from django.urls import path

from . import views

urlpatterns = [
    path("beacon", views.beacon, name="beacon"),
    path("how-we-count", views.how_we_count, name="how_we_count"),
]
