"""Backstage Radio, live: the page, what is on air (JSON) and tuning in."""

from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from . import live
from .listeners import listener_key
from .services import record_radio_play


@require_GET
def live_page(request):
    # The radio id is made here, not at tune-in: "listening now" counts /now polls by it, and
    # an id first made at tune-in would count the same listener twice for a minute.
    listener_key(request, create=True)
    return render(request, "radio/live.html", {"poll_seconds": live.POLL_SECONDS})


@require_GET
def live_now(request):
    """What is on air, for every listener alike, plus the server's clock and the audience.

    The busiest radio URL (every listener, every 30 s): routed before the long includes
    (backstage/urls.py), and its no-store header set directly rather than by never_cache.
    Only polls flagged `listening=1` (sent by the page while tuned in) count as a listener."""
    tuned_in = request.GET.get("listening") == "1"
    body = live.now_playing(listener_key=listener_key(request) if tuned_in else None)
    response = HttpResponse(body, content_type="application/json")
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@require_POST
def live_tune(request):
    """Join the slot on air: records this listener's radio play and returns the player item."""
    slot_id = request.POST.get("slot", "")
    if not (slot_id.isascii() and slot_id.isdigit()) or len(slot_id) > 18:
        return JsonResponse({"error": "Say which slot to tune in to."}, status=400)
    slot = live.access_live_slot(slot_id=int(slot_id))
    play = record_radio_play(
        track=slot.track,
        listener_key=listener_key(request, create=True),
        user=request.user if request.user.is_authenticated else None,
        slot=slot,
    )
    return JsonResponse(live.player_item(slot=slot, play_id=play.pk))
