from django.urls import path

from . import views_supporters

app_name = "supporters"

urlpatterns = [
    path("supporters/", views_supporters.page, name="page"),
    path("supporters/subscribe", views_supporters.subscribe, name="subscribe"),
    path("supporters/cancel", views_supporters.cancel, name="cancel"),
]
