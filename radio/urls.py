from django.urls import path

from . import live_views, stats_views, views

app_name = "radio"

urlpatterns = [
    # Each part of the radio adds its pages here: the live station, personal stations,
    # feedback and comments, the artists' figures, the public explanation.
    path("radio/", views.radio_home, name="home"),
    # Personal stations, feedback and timed comments (the listener's side).
    path("radio/start", views.station_start, name="start"),
    path("radio/s/<uuid:session_id>/", views.station_page, name="station"),
    path("radio/s/<uuid:session_id>/next", views.station_next, name="station_next"),
    path("radio/play/<int:play_id>/feedback", views.play_feedback, name="feedback"),
    path("radio/track/<str:public_id>/comments", views.track_comments, name="comments"),
    path("radio/comments/<int:comment_id>/delete", views.comment_delete, name="comment_delete"),
    # For artists and the public (radio/stats_views.py): figures, opting in and out, and
    # how the radio picks.
    path("radio/how-it-picks/", stats_views.how_it_picks, name="how_it_picks"),
    path("radio/stats/<str:kind>/<str:key>/", stats_views.radio_stats, name="stats"),
    path("studio/radio/", stats_views.studio_radio, name="studio"),
    # Backstage Radio, live (radio/live.py)
    path("radio/live/", live_views.live_page, name="live"),
    path("radio/live/now", live_views.live_now, name="live_now"),
    path("radio/live/tune", live_views.live_tune, name="live_tune"),
]
