from django.conf import settings
from django.core import signing
from django.db import transaction
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from tracks.models import Track

from . import charts, exports, payload, services, stats, tokens
from .forms import PeriodForm


def _bad(message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=400)


@csrf_exempt  # sent by navigator.sendBeacon, which cannot carry a CSRF token: the signed
@require_POST  # play token is the authority, and a beacon can only add to its own play.
def beacon(request):
    """Validate a player beacon and buffer it; counting happens in the drain."""
    try:
        data = payload.read_beacon(request.body)
    except payload.BadBeacon as refusal:
        return _bad(str(refusal))
    token, seq, event = data["token"], data["seq"], data["event"]
    position, at = data["position"], data["at"]
    try:
        claims = tokens.read_play_token(token)
    except signing.SignatureExpired:
        return _bad("Play token expired.")
    except signing.BadSignature:
        return _bad("Invalid play token.")
    if "p" in claims:  # the track's public id and duration, signed when the token was issued
        track = {"public_id": claims["p"], "duration": claims["d"]}
    else:  # a token issued before they were included (valid PLAY_TOKEN_TTL after deploying)
        track = Track.objects.filter(pk=claims["t"]).values("public_id", "duration").first()
    if track is None or data.get("track", track["public_id"]) != track["public_id"]:
        return _bad("Beacon is for another track.")
    if track["duration"] and position > track["duration"] + 5:
        return _bad("Position or clock out of range.")
    services.buffer_beacon(
        claims=claims,
        beacon={"seq": seq, "event": event, "position": float(position), "at": float(at)},
        user_agent=request.META.get("HTTP_USER_AGENT", ""),
        ip_key=tokens.ip_key(request),
    )
    if not services.has_worker():
        # Embedded default: no beat worker, so count right away. robust: a failing drain is
        # logged and its beacons wait for the next one; the beacon itself was accepted.
        transaction.on_commit(services.drain_beacons, robust=True)
    return HttpResponse(status=204)


@require_GET
def how_we_count(request):
    return render(
        request,
        "analytics/how_we_count.html",
        {"cap_listener": settings.PLAY_CAP_PER_LISTENER, "cap_ip": settings.PLAY_CAP_PER_IP},
    )


def _chosen(request, kind: str, public_id: str) -> tuple[PeriodForm, stats.Dashboard]:
    subject = stats.access_subject(user=request.user, kind=kind, public_id=public_id)
    form = PeriodForm(request.GET, today=stats.today())
    return form, stats.dashboard(subject=subject, period=form.chosen(subject=subject))


@never_cache
@require_GET
def stats_page(request, kind: str = "artist", public_id: str = ""):
    """The artist's dashboard, or one release's or track's. Bad ranges: the default period,
    the form's message and a 400."""
    form, board = _chosen(request, kind, public_id)
    return render(
        request,
        "analytics/stats.html",
        {"board": board, "form": form, "chart": charts.plays_chart(board.series),
         "periods": stats.PERIOD_LINKS},
        status=400 if form.errors else 200,
    )  # fmt: skip


@never_cache
@require_GET
def stats_csv(request, table: str, kind: str = "artist", public_id: str = ""):
    if table not in exports.TABLES:
        raise Http404("No such table.")
    form, board = _chosen(request, kind, public_id)
    if form.errors:
        message = " ".join(error for errors in form.errors.values() for error in errors)
        return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
    return exports.csv_response(board, table)


@never_cache
@require_GET
def live_count(request, public_id: str):
    """The real-time counter of one release in its first week (polled by htmx every 5 s)."""
    subject = stats.access_subject(user=request.user, kind="release", public_id=public_id)
    live = stats.live_releases(artist=subject.artist, release=subject.obj)
    if live and request.GET.get("seen") == str(live[0].plays):
        return HttpResponse(status=204)  # unchanged: nothing to swap, nothing to announce
    return render(
        request, "analytics/_live.html", {"live": live[0] if live else None, "release": subject.obj}
    )
