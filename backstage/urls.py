from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.static import serve

from . import views

admin.site.site_header = "Backstage moderation"
admin.site.site_title = "Backstage admin"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("ping", views.ping, name="ping"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("", include("tracks.urls")),
    path("", include("artists.urls")),
]

if not settings.S3_BUCKET:
    # Images (avatars, covers) in the embedded default. Audio is never served from here.
    urlpatterns.insert(
        0,
        path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT / "public"}),
    )
