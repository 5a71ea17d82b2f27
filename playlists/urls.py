from django.urls import path

from . import views

app_name = "playlists"

urlpatterns = [
    path("library/", views.library, name="library"),
    path("playlists/new", views.create, name="create"),
    path("playlists/add", views.add, name="add"),
    path("playlist/<str:public_id>/edit/", views.edit, name="edit"),
    path("playlist/<str:public_id>/delete/", views.delete, name="delete"),
    path("playlist/<str:public_id>/move", views.move, name="move"),
    path("playlist/<str:public_id>/remove", views.remove, name="remove"),
    path("playlist/<str:public_id>/follow", views.follow, name="follow"),
    path("playlist/<str:public_id>/collaborators/", views.collaborators, name="collaborators"),
    path(
        "playlist/<str:public_id>/collaborators/remove",
        views.remove_collaborator,
        name="remove_collaborator",
    ),
    path("playlist/<str:public_id>/accept", views.accept, name="accept"),
    path("playlist/<str:public_id>/leave", views.leave, name="leave"),
    path("playlist/<str:public_id>/", views.detail, name="short"),
    path("playlist/<str:public_id>/<str:slug>/", views.detail, name="detail"),
    path("track/<str:public_id>/save", views.save_track, name="save_track"),
    path("release/<str:public_id>/save", views.save_release, name="save_release"),
    path("u/<str:username>/", views.profile, name="profile"),
]
