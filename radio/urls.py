from django.urls import path

from . import views

app_name = "radio"

urlpatterns = [
    # Each part of the radio adds its pages here: the live station, personal stations,
    # feedback and comments, the artists' figures, the public explanation.
    path("radio/", views.radio_home, name="home"),
]
