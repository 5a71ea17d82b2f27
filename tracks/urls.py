from django.urls import path

from . import views

app_name = "tracks"

urlpatterns = [
    path("upload/", views.upload_page, name="upload"),
    path("upload/start", views.upload_start, name="upload_start"),
    path("upload/<uuid:upload_id>/file", views.upload_receive, name="upload_receive"),
    path("upload/<uuid:upload_id>/complete", views.upload_complete, name="upload_complete"),
    path("releases/new", views.release_create, name="release_create"),
    path("track/<str:public_id>/edit/", views.track_edit, name="track_edit"),
    path("track/<str:public_id>/status", views.track_status, name="track_status"),
    path("track/<str:public_id>/retry", views.track_retry, name="track_retry"),
    path("track/<str:public_id>/play", views.track_play, name="track_play"),
    path("track/<str:public_id>/", views.track_detail, name="track_short"),
    path("track/<str:public_id>/<str:slug>/", views.track_detail, name="track"),
    path("release/<str:public_id>/edit/", views.release_edit, name="release_edit"),
    path("release/<str:public_id>/", views.release_detail, name="release_short"),
    path("release/<str:public_id>/<str:slug>/", views.release_detail, name="release"),
    path("stream/<str:token>", views.stream, name="stream"),
]
