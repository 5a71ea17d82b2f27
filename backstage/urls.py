from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from analytics import views as analytics_views
from radio import live_views as radio_live_views

from . import signin, views
from .media import serve_public_media

handler429 = signin.too_many_requests

admin.site.site_header = "Backstage moderation"
admin.site.site_title = "Backstage admin"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("ping", views.ping, name="ping"),
    # The busiest URL (a beacon every 10 s per listener): resolved before the long includes.
    path("beacon", analytics_views.beacon, name="beacon"),
    # Polled by every live radio listener (radio/live_views.py); named in radio/urls.py too.
    path("radio/live/now", radio_live_views.live_now),
    path("search", views.search_page, name="search"),
    path("search/suggest", views.search_suggest, name="search_suggest"),
    path("account/preferences/", views.preferences, name="account_preferences"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    # The admin signs in through allauth (its rate limits and suspension check).
    path("admin/login/", signin.admin_login, name="admin_login"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("", include("payments.urls_fan")),
    path("", include("payments.urls_supporters")),
    path("", include("tracks.urls")),
    path("", include("artists.urls")),
    path("", include("playlists.urls")),
    path("", include("playlists.embed_urls")),
    path("", include("analytics.urls")),
    path("", include("radio.urls")),
    path("", include("payments.urls")),
    path("", include("notifications.urls")),
    path("", include("credits.urls")),
    path("", include("collab.urls")),
    path("", include("messaging.urls")),
    path("", include("takedowns.urls")),
    path("", include("moderation.urls")),
]

if not settings.S3_BUCKET:
    # Images (avatars, covers) in the embedded default. Audio is never served from here.
    urlpatterns.insert(
        0,
        path(
            "media/<path:path>",
            serve_public_media,
            {"document_root": settings.MEDIA_ROOT / "public"},
        ),
    )

handler500 = "backstage.outages.server_error"
