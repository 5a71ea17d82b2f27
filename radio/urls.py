from django.urls import path

from . import live_views, views

app_name = "radio"

urlpatterns = [
    # Each part of the radio adds its pages here: the live station, personal stations,
    # feedback and comments, the artists' figures, the public explanation.
    path("radio/", views.radio_home, name="home"),
    # Backstage Radio, live (radio/live.py)
    path("radio/live/", live_views.live_page, name="live"),
    path("radio/live/now", live_views.live_now, name="live_now"),
    path("radio/live/tune", live_views.live_tune, name="live_tune"),
]
