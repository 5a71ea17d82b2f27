from django.urls import path

from . import views

app_name = "moderation"

urlpatterns = [
    path("report/<str:kind>/<str:key>/", views.report, name="report"),
    path("report/thanks/", views.thanks, name="thanks"),
]
