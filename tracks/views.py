import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from artists.selectors import artist_of
from backstage.forms import form_changes
from backstage.pagecache import cache_for_anonymous

from . import selectors, services, streaming
from .audio.formats import ACCEPTED_DESCRIPTION, ACCEPTED_EXTENSIONS
from .forms import (
    NewReleaseForm,
    ReleaseForm,
    TrackForm,
    TrackOrderForm,
    UploadCompleteForm,
    UploadStartForm,
)
from .models import Track


def _invalid(form) -> JsonResponse:
    """A 400 naming each field with a problem ("Size: Enter a whole number.")."""
    message = " ".join(
        f"{form[name].label}: {error}" if name in form.fields else str(error)
        for name, errors in form.errors.items()
        for error in errors
    )
    return JsonResponse({"error": message or "That request could not be read."}, status=400)


def _declared_length(request) -> int | None:
    """The Content-Length header as a number (0 when absent); None when it is not one."""
    value = request.META.get("CONTENT_LENGTH") or "0"
    if not (value.isascii() and value.isdigit() and len(value) <= 20):
        return None
    return int(value)


def _artist_or_404(request):
    artist = artist_of(user=request.user)
    if artist is None:
        raise Http404("Create your artist profile first.")
    return artist


# --- Upload -----------------------------------------------------------------------------------


@login_required
def upload_page(request):
    artist = artist_of(user=request.user)
    if artist is None:
        messages.info(request, "Set up your artist profile, then upload your music.")
        return redirect("artists:create")
    return render(
        request,
        "tracks/upload.html",
        {
            "artist": artist,
            "release_form": NewReleaseForm(prefix="release"),
            "accept": ",".join(ACCEPTED_EXTENSIONS),
            "accepted": ACCEPTED_DESCRIPTION,
            "max_bytes": settings.UPLOAD_MAX_BYTES,
            "max_size": filesizeformat(settings.UPLOAD_MAX_BYTES),
        },
    )


@login_required
@require_POST
def release_create(request):
    artist = _artist_or_404(request)
    form = NewReleaseForm(request.POST, request.FILES, prefix="release")
    if not form.is_valid():
        return _invalid(form)
    release = services.create_release(artist=artist, **form.cleaned_data)
    return JsonResponse(
        {"release": release.public_id, "url": release.get_absolute_url()}, status=201
    )


@login_required
@require_POST
def upload_start(request):
    artist = _artist_or_404(request)
    form = UploadStartForm(request.POST)
    if not form.is_valid():
        return _invalid(form)
    release = None
    if form.cleaned_data["release"]:
        release = selectors.access_release(
            user=request.user, public_id=form.cleaned_data["release"], write=True
        )
    try:
        upload, target = services.start_upload(
            user=request.user,
            artist=artist,
            filename=form.cleaned_data["filename"],
            size=form.cleaned_data["size"],
            release=release,
            position=form.cleaned_data["position"] or 0,
        )
    except services.UploadRejected as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    complete = reverse("tracks:upload_complete", kwargs={"upload_id": upload.id})
    return JsonResponse({"upload": str(upload.id), "complete": complete, **target}, status=201)


@login_required
@require_POST
def upload_receive(request, upload_id):
    """The embedded default's stand-in for S3: receives one file for a started upload."""
    upload = selectors.access_upload(user=request.user, upload_id=upload_id)
    declared = _declared_length(request)
    if declared is None:
        return JsonResponse({"error": "The request's length could not be read."}, status=400)
    if declared > settings.UPLOAD_MAX_BYTES + 64 * 1024:  # refuse before reading the body
        limit = filesizeformat(settings.UPLOAD_MAX_BYTES)
        return JsonResponse({"error": f"This file is over the {limit} limit."}, status=413)
    file = request.FILES.get("file")
    if file is None:
        return JsonResponse({"error": "No file arrived. Please try again."}, status=400)
    try:
        services.receive_upload_file(upload=upload, file=file)
    except services.UploadRejected as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    return JsonResponse({"received": file.size}, status=201)


@login_required
@require_POST
def upload_complete(request, upload_id):
    upload = selectors.access_upload(user=request.user, upload_id=upload_id)
    form = UploadCompleteForm(request.POST)
    if not form.is_valid():
        return _invalid(form)
    try:
        track = services.complete_upload(
            upload=upload, visibility=form.cleaned_data["visibility"] or "public"
        )
    except services.UploadRejected as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    track.refresh_from_db()
    return JsonResponse(
        {
            "track": track.public_id,
            "title": track.title,
            "status": track.status,
            "url": track.get_absolute_url(),
            "edit_url": reverse("tracks:track_edit", args=[track.public_id]),
        },
        status=201,
    )


# --- Tracks -----------------------------------------------------------------------------------


@cache_for_anonymous
def track_detail(request, public_id, slug=""):
    track = selectors.access_track(user=request.user, public_id=public_id)
    if slug != track.slug:
        return redirect(track, permanent=True)
    return render(
        request,
        "tracks/track.html",
        {
            "track": track,
            "is_owner": track.artist.user_id == request.user.id,
            "more": selectors.listed_tracks().filter(artist=track.artist).exclude(id=track.id)[:5],
        },
    )


@never_cache
@require_GET
def track_status(request, public_id):
    """The live processing panel, polled by htmx; once processing ends, reload the page."""
    track = selectors.access_track(user=request.user, public_id=public_id, write=True)
    response = render(request, "tracks/_status.html", {"track": track})
    if request.htmx and track.status != Track.Status.PROCESSING:
        response["HX-Location"] = json.dumps(
            {
                "path": track.get_absolute_url(),
                "target": "#main",
                "select": "#main",
                "swap": "outerHTML",
            }
        )
    return response


@login_required
@require_POST
def track_retry(request, public_id):
    track = selectors.access_track(user=request.user, public_id=public_id, write=True)
    if track.status == Track.Status.FAILED:
        track = services.retry_processing(track=track)
    return redirect(track)


@login_required
def track_edit(request, public_id):
    track = selectors.access_track(user=request.user, public_id=public_id, write=True)
    form = TrackForm(request.POST or None, request.FILES or None, instance=track)
    if request.method == "POST":
        if form.is_valid():
            track = services.update_track(track=track, **form_changes(form))
            messages.success(request, "Saved.")
            return redirect(track)
        return render(request, "tracks/track_edit.html", {"form": form, "track": track}, status=422)
    return render(request, "tracks/track_edit.html", {"form": form, "track": track})


@never_cache
@require_GET
def track_play(request, public_id):
    """What the player needs to start a track: signed sources, title, artwork, peaks."""
    track = selectors.access_track(user=request.user, public_id=public_id)
    if not track.is_playable:
        return JsonResponse({"error": "This track is not ready to play yet."}, status=409)
    play_token = None
    if request.GET.get("start") == "1":
        # Deferred import: analytics depends on tracks, not the other way round.
        from analytics.services import record_stream_start
        from analytics.tokens import issue_play_token

        start = record_stream_start(
            track=track,
            user=request.user,
            source=request.GET.get("source", ""),
            origin=request.GET.get("origin", "") or request.headers.get("Origin", ""),
            context=request.GET.get("context", ""),
        )
        play_token = issue_play_token(
            request=request,
            track=track,
            source=start.source,
            origin=start.origin,
            context=start.context,
        )
    return JsonResponse(
        streaming.player_item(
            track=track,
            sources=streaming.stream_sources(track=track, user=request.user),
            play_token=play_token,
        )
    )


@require_GET
def stream(request, token):
    rendition = streaming.rendition_for_token(token, user=request.user)
    return streaming.serve_rendition(request, rendition)


# --- Releases ---------------------------------------------------------------------------------


@cache_for_anonymous
def release_detail(request, public_id, slug=""):
    release = selectors.access_release(user=request.user, public_id=public_id)
    if slug != release.slug:
        return redirect(release, permanent=True)
    tracks = selectors.release_tracks(user=request.user, release=release)
    return render(
        request,
        "tracks/release.html",
        {
            "release": release,
            "tracks": tracks,
            "playable": [t for t in tracks if t.is_playable],
            "is_owner": release.artist.user_id == request.user.id,
            "total_seconds": sum(t.duration or 0 for t in tracks),
        },
    )


@login_required
def release_edit(request, public_id):
    release = selectors.access_release(user=request.user, public_id=public_id, write=True)
    form = ReleaseForm(request.POST or None, request.FILES or None, instance=release)
    order = TrackOrderForm(request.POST or None)
    tracks = selectors.release_tracks(user=request.user, release=release)
    if request.method == "POST":
        if form.is_valid() and order.is_valid():
            services.update_release(
                release=release, track_order=order.cleaned_data["order"], **form_changes(form)
            )
            messages.success(request, "Saved.")
            return redirect(release)
        status = 422
    else:
        status = 200
    return render(
        request,
        "tracks/release_edit.html",
        {"form": form, "release": release, "tracks": tracks},
        status=status,
    )
