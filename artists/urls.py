from django.urls import path

from . import views

app_name = "artists"

urlpatterns = [
    path("artist/new/", views.create, name="create"),
    path("artist/edit/", views.edit, name="edit"),
    path("studio/", views.studio_page, name="studio"),
    path("@<str:slug>/", views.detail, name="detail"),
    path("@<str:slug>/follow", views.follow, name="follow"),
]
