from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from artists import notifications
from artists.models import Artist
from backstage import feed, search
from backstage.forms import PreferencesForm
from backstage.pagecache import cache_for_anonymous
from backstage.preferences import update_preferences
from tracks.selectors import listed_releases, listed_tracks


@cache_for_anonymous
def home(request):
    """Discovery for everyone; above it, for signed-in listeners, their feed (never cached:
    the page cache only serves anonymous visitors)."""
    signed_in = request.user.is_authenticated
    return render(
        request,
        "home.html",
        {
            "feed": feed.home_feed(user=request.user) if signed_in else None,
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


def search_page(request):
    """/search?q=&type=&page=: tabs with counts, then results; works without JavaScript."""
    query = search.parse_query(request.GET.get("q"))
    context = search.results_page(
        query, kind=request.GET.get("type", "all"), page=request.GET.get("page")
    )
    return render(request, "search/page.html", context)


def search_suggest(request):
    """The instant results under the header's search box (an htmx fragment)."""
    query = search.parse_query(request.GET.get("q"))
    found = search.suggestions(query)
    count = sum(len(items) for items in found.values())
    return render(
        request, "search/_suggestions.html", {"query": query, "found": found, "count": count}
    )


@login_required
def preferences(request):
    """/account/preferences/: the listener's e-mail and profile settings."""
    user = request.user
    initial = {"email_new_releases": user.email_new_releases, "public_profile": user.public_profile}
    form = PreferencesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        update_preferences(user=user, **form.cleaned_data)
        messages.success(request, "Your preferences are saved.")
        return redirect("account_preferences")
    return render(request, "account/preferences.html", {"form": form})


@never_cache
@csrf_exempt  # mail clients POST the one-click unsubscribe (RFC 8058) without a CSRF token
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token):
    """GET asks to confirm (link scanners must not unsubscribe anyone); POST unsubscribes.
    The signed token is the only authority: no login, no cookie, nothing else is trusted."""
    user = notifications.user_for_token(token)
    if user is None:
        return render(request, "account/unsubscribe.html", {"invalid": True}, status=400)
    done = request.method == "POST"
    if done:
        notifications.unsubscribe(user=user)
    return render(
        request, "account/unsubscribe.html", {"done": done, "token": token, "email": user.email}
    )
