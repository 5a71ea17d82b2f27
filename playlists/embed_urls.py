"""Embeddable players and the oEmbed endpoint. Artists embed by their slug (the address of
their page, /@<slug>/): artists have no other public id, and a renamed address is a new page."""

from django.urls import path

from . import embed, oembed

app_name = "embed"

urlpatterns = [
    path("embed/track/<str:public_id>", embed.embed_track, name="track"),
    path("embed/release/<str:public_id>", embed.embed_release, name="release"),
    path("embed/playlist/<str:public_id>", embed.embed_playlist, name="playlist"),
    path("embed/artist/<str:slug>", embed.embed_artist, name="artist"),
    path("track/<str:public_id>/audio.mp3", embed.track_audio, name="track_audio"),
    path("oembed", oembed.oembed, name="oembed"),
]
