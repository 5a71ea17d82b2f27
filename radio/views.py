"""The listener's side of the radio: the home page, personal stations, feedback and timed
comments. Refusals are 404s; bad input is a 400 with a message a person can act on."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from analytics.tokens import ip_key
from artists.selectors import access_artist
from tracks.selectors import access_track, listed_tracks

from . import comments, limits, selectors, services, stations
from .listeners import listener_key
from .models import Feedback, Reason, StationKind


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _problem(request, message: str, status: int, *, back: str = ""):
    """A refusal with a message: JSON for scripts, a small page otherwise."""
    if _wants_json(request):
        return JsonResponse({"error": message}, status=status)
    return render(request, "radio/problem.html", {"message": message, "back": back}, status=status)


def _too_many(request, refusal: limits.TooMany, *, back: str = ""):
    """429 with the limit's message, and when to try again."""
    return limits.with_retry_after(_problem(request, str(refusal), 429, back=back), refusal)


def _limited(action: str):
    """Refuse a listener (or an address) over its limits for `action` with a 429
    (radio/limits.py): checked first, so that even refused requests count."""

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method == "POST":
                try:
                    limits.take_for_listener(
                        action,
                        listener_key=listener_key(request, create=True),
                        ip_key=ip_key(request),
                    )
                except limits.TooMany as refusal:
                    return _too_many(request, refusal, back=reverse("radio:home"))
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


def _json_refusals(view):
    """A 404 for a script is JSON with its message (the radio panel shows it), like a 400."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except Http404 as refusal:
            if not _wants_json(request):
                raise
            return JsonResponse({"error": str(refusal) or "Not found."}, status=404)

    return wrapper


# --- Home and stations ------------------------------------------------------------------------


@never_cache
@require_GET
def radio_home(request):
    return render(
        request,
        "radio/home.html",
        {"genres": stations.top_genres(), "moods": stations.mood_counts()},
    )


def _station_request(request, data) -> dict:
    """The start_station arguments a form names; Http404 for an artist or track the listener
    may not see, ValidationError for the rest."""
    kind = data.get("kind", "")
    found = {"kind": kind, "seed": data.get("seed", "")[:100]}
    if kind == StationKind.ARTIST:
        artist = stations.find_artist(data.get("artist", "")[:100])
        if artist is None:
            raise ValidationError("We found no artist by that name.")
        found["artist"] = access_artist(user=request.user, slug=artist.slug)
    elif kind == StationKind.TRACK:
        found["track"] = _access_track(request, data.get("track", "")[:16])
    return found


def _access_track(request, public_id: str):
    """tracks.selectors.access_track, and a 404 for an id with a NUL character (PostgreSQL
    refuses one in a query's text: a 500 otherwise)."""
    if "\x00" in public_id:
        raise Http404("No such track.")
    return access_track(user=request.user, public_id=public_id)


@require_http_methods(["GET", "POST"])
@_limited("start")
@_json_refusals
def station_start(request):
    """POST starts a station (JSON for the player, else a redirect to its page). GET, used by
    buttons on cached pages that carry no CSRF token, shows the station with a start button."""
    data = request.POST if request.method == "POST" else request.GET
    try:
        wanted = _station_request(request, data)
        if request.method == "GET":
            label = stations.label_for(**wanted)
            return render(request, "radio/start.html", {"wanted": wanted, "label": label})
        session = services.start_station(
            listener_key=listener_key(request, create=True), user=request.user, **wanted
        )
    except ValidationError as error:
        return _problem(request, error.messages[0], 400, back=reverse("radio:home"))
    page = reverse("radio:station", args=[session.pk])
    if _wants_json(request):
        return JsonResponse(
            {
                "session": str(session.pk),
                "label": stations.station_label(session),
                "url": page,
                "next": reverse("radio:station_next", args=[session.pk]),
            },
            status=201,
        )
    return redirect(page)


@never_cache
@require_GET
def station_page(request, session_id):
    """The station and what it has played (the page to come back to; works without JS)."""
    session = selectors.access_session(listener_key=listener_key(request), session_id=session_id)
    plays = (
        session.plays.filter(track__in=listed_tracks())  # not what was since made private
        .select_related("track__artist")
        .order_by("-started_at", "-pk")[:50]
    )
    return render(
        request,
        "radio/station.html",
        {"session": session, "label": stations.station_label(session), "plays": plays},
    )


def player_item(request, play) -> dict:
    """What the player needs to play a radio play and take feedback on it."""
    track = play.track
    return {
        "id": track.public_id,
        "src": reverse("tracks:track_play", args=[track.public_id]),
        "title": track.title,
        "artist": track.artist.name,
        "duration": track.duration,
        "source": "radio",
        # Analytics keeps 32 characters of context: the session's first 24 hex digits.
        "context": f"station:{play.session_id.hex[:24]}" if play.session_id else "",
        "play": play.pk,
        "feedback": reverse("radio:feedback", args=[play.pk]),
        "comment": reverse("radio:comments", args=[track.public_id])
        if request.user.is_authenticated
        else "",
    }


@never_cache
@require_POST
@_limited("next")
@_json_refusals
def station_next(request, session_id):
    session = selectors.access_session(listener_key=listener_key(request), session_id=session_id)
    try:
        play = services.next_track(session=session)
    except services.EmptyStation as empty:
        return JsonResponse({"error": str(empty), "empty": True}, status=409)
    return JsonResponse(player_item(request, play))


# --- Feedback ---------------------------------------------------------------------------------


def _number(text: str | None, what: str) -> float | None:
    if text in (None, ""):
        return None
    try:
        return float(text)
    except ValueError:
        raise ValidationError(f"{what} must be a number of seconds.") from None


def _feedback_message(feedback: Feedback) -> str:
    """What the feedback changes, said to the listener (the track may have moved on since)."""
    track = feedback.play.track
    if feedback.kind == Feedback.Kind.LIKE:
        return f"Liked “{track.title}”: your stations will play more from {track.artist.name}."
    if feedback.kind == Feedback.Kind.DISLIKE:
        less = f"less from {track.artist.name}"
        if feedback.reason == Reason.GENRE and track.genre:
            less += f" and less {track.genre.lower()}"
        return f"Disliked “{track.title}”: your stations will play {less}, and never this track."
    return f"Skipped “{track.title}”."


@never_cache
@require_POST
@_limited("feedback")
@_json_refusals
def play_feedback(request, play_id):
    """Like, dislike (with an optional reason) or skip a radio play handed to this listener."""
    play = selectors.access_play(listener_key=listener_key(request), play_id=play_id)
    try:
        feedback = services.record_feedback(
            play=play,
            kind=request.POST.get("kind", ""),
            reason=request.POST.get("reason", ""),
            at_seconds=_number(request.POST.get("at_seconds"), "The moment"),
        )
    except ValidationError as error:
        return JsonResponse({"error": error.messages[0]}, status=400)
    return JsonResponse(
        {"kind": feedback.kind, "reason": feedback.reason, "message": _feedback_message(feedback)}
    )


# --- Timed comments ---------------------------------------------------------------------------


def _comments_answer(request, track, *, status: int = 200, error: str = "", comment=None):
    """htmx: the track page's comments section; JSON for the radio panel; else back to the
    track page (or a page with the problem)."""
    if request.headers.get("HX-Request"):
        context = comments.comments_on_page(request=request, track=track)
        context["error"] = error
        return render(request, "radio/_comments.html", context, status=status)
    if error:
        return _problem(request, error, status, back=track.get_absolute_url())
    if _wants_json(request):
        data = {}
        if comment is not None:
            data = {"id": comment.pk, "at_seconds": comment.at_seconds, "body": comment.body}
        return JsonResponse(data, status=status)
    anchor = f"#comment-{comment.pk}" if comment is not None else "#comments"
    return redirect(track.get_absolute_url() + anchor)


@login_required
@require_POST
@_json_refusals
def track_comments(request, public_id):
    """Post a timed comment on a track the author may see (from the radio panel, tied to the
    radio play). Over the rate limit: 429; a bad moment or body: 400."""
    track = _access_track(request, public_id)
    play = None
    if request.POST.get("play"):
        try:
            play_id = int(request.POST["play"])
        except ValueError:
            raise Http404("No such radio play.") from None
        play = selectors.access_play(listener_key=listener_key(request), play_id=play_id)
        if play.track_id != track.pk:
            raise Http404("That radio play was another track.")
    try:
        comment = comments.post_timed_comment(
            author=request.user,
            track=track,
            at_seconds=comments.parse_moment(request.POST.get("at", "")),
            body=request.POST.get("body", ""),
            play=play,
        )
    except ValidationError as error:
        return _comments_answer(request, track, status=400, error=error.messages[0])
    except limits.TooMany as refusal:
        answer = _comments_answer(request, track, status=429, error=str(refusal))
        return limits.with_retry_after(answer, refusal)
    status = 201 if _wants_json(request) else 200
    return _comments_answer(request, track, status=status, comment=comment)


@login_required
@require_POST
def comment_delete(request, comment_id):
    """Its author or the track's artist deletes a comment; anyone else gets a 404."""
    comment = selectors.access_comment_to_delete(user=request.user, comment_id=comment_id)
    track = comment.track
    comments.remove_timed_comment(user=request.user, comment=comment)
    return _comments_answer(request, track)
