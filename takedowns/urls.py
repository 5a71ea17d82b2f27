from django.urls import path

from . import views

app_name = "takedowns"

urlpatterns = [
    path("copyright/", views.claim_form, name="claim"),
    path("copyright/received/<str:reference>/", views.claim_received, name="received"),
    path("copyright/counter/<str:reference>/", views.counter_notice, name="counter"),
]
