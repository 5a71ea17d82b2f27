import json
import math

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from tracks.models import Track

from . import counting, services, tokens

MAX_BODY = 2048
MAX_SEQ = 10_000
BEACON_KEYS = {"token", "seq", "event", "position", "at", "track"}


def _bad(message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=400)


def _number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


@csrf_exempt  # sent by navigator.sendBeacon, which cannot carry a CSRF token: the signed
@require_POST  # play token is the authority, and a beacon can only add to its own play.
def beacon(request):
    """Validate a player beacon and buffer it; counting happens in the drain."""
    if len(request.body) > MAX_BODY:
        return _bad("Beacon too large.")
    try:
        data = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        return _bad("Beacon is not JSON.")
    if not isinstance(data, dict) or not set(data) <= BEACON_KEYS or "token" not in data:
        return _bad("Beacon has the wrong shape.")
    token, seq, event = data.get("token"), data.get("seq"), data.get("event")
    position, at = data.get("position"), data.get("at")
    if not isinstance(token, str) or not isinstance(seq, int) or isinstance(seq, bool):
        return _bad("Beacon has the wrong shape.")
    if not 0 <= seq <= MAX_SEQ or event not in counting.EVENTS:
        return _bad("Unknown event or sequence number.")
    if not (_number(position) and _number(at)) or position < 0 or not 0 <= at < 1e14:
        return _bad("Position or clock out of range.")
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
        user_agent=request.headers.get("User-Agent", ""),
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
