from django.urls import path

from . import stats_views, views

app_name = "radio"

urlpatterns = [
    # Each part of the radio adds its pages here: the live station, personal stations,
    # feedback and comments, the artists' figures, the public explanation.
    path("radio/", views.radio_home, name="home"),
    # For artists and the public (radio/stats_views.py): figures, opting in and out, and
    # how the radio picks.
    path("radio/how-it-picks/", stats_views.how_it_picks, name="how_it_picks"),
    path("radio/stats/<str:kind>/<str:key>/", stats_views.radio_stats, name="stats"),
    path("studio/radio/", stats_views.studio_radio, name="studio"),
]
