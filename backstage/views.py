from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from artists.models import Artist
from backstage.pagecache import cache_for_anonymous
from tracks.selectors import listed_releases, listed_tracks


@cache_for_anonymous
def home(request):
    return render(
        request,
        "home.html",
        {
            "releases": listed_releases()[:12],
            "tracks": listed_tracks().order_by("-created_at")[:10],
            "artists": Artist.objects.filter(is_suspended=False).order_by("-created_at")[:8],
        },
    )


@never_cache
def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"ok": True})


def ping(request):
    """A trivial view: the baseline the page-serving benchmark compares pages against."""
    return HttpResponse("pong", content_type="text/plain")
