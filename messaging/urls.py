from django.urls import path

from . import views

app_name = "messaging"

urlpatterns = [
    path("messages/", views.inbox, name="inbox"),
    path("messages/<int:conversation_id>/", views.conversation, name="conversation"),
    path("messages/<int:conversation_id>/send/", views.send, name="send"),
    path("messages/<int:conversation_id>/new/", views.poll, name="poll"),
    path("messages/<int:conversation_id>/report/", views.report, name="report"),
    path("messages/with/<str:slug>/", views.start, name="start"),
    path("messages/block/<str:slug>/", views.block, name="block"),
]
