from django.urls import path, re_path

from . import views

app_name = "collab"

urlpatterns = [
    path("collab/", views.board, name="board"),
    path("collab/mine/", views.mine, name="mine"),
    path("collab/artists/", views.directory, name="directory"),
    path("collab/calls/new/", views.call_new, name="call_new"),
    path("collab/calls/<int:call_id>/", views.call_detail, name="call"),
    path("collab/calls/<int:call_id>/close", views.call_close, name="call_close"),
    path("collab/calls/<int:call_id>/answer", views.answer, name="answer"),
    path("collab/calls/<int:call_id>/reference", views.reference_play, name="reference_play"),
    path("collab/reference/<str:token>", views.reference_stream, name="reference_stream"),
    re_path(
        r"^collab/answers/(?P<application_id>[0-9]+)/(?P<decision>shortlist|accept|decline)$",
        views.decide,
        name="decide",
    ),
]
