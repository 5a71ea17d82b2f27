from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from artists.selectors import artist_of
from backstage.problems import problem_page, too_many_page
from tracks.streaming import player_item, serve_rendition

from . import limits, reference, selectors, services
from .forms import AnswerForm, BoardFilter, CallForm, DirectoryFilter, clean_filters
from .models import DECISION_GRACE


def _need_artist(request):
    """Posting and answering calls is for artists: a fan is told how to become one."""
    return render(request, "collab/need_artist.html", status=403)


def _suspended(request, back: str = ""):
    """A suspended artist is told why they cannot post or answer (403), as messages do."""
    return problem_page(request, services.SUSPENDED, 403, back=back)


# --- Reading -----------------------------------------------------------------------------------


def board(request):
    filters = clean_filters(BoardFilter(request.GET))
    calls = selectors.open_calls(**filters)
    return render(
        request,
        "collab/board.html",
        {
            "filter_form": BoardFilter(request.GET),
            "page": Paginator(calls, selectors.PAGE_SIZE).get_page(request.GET.get("page")),
            "filtered": any(filters.values()),
        },
    )


@login_required
def mine(request):
    artist = artist_of(user=request.user)
    if artist is None:
        return _need_artist(request)
    return render(
        request,
        "collab/mine.html",
        {
            "calls": list(selectors.calls_of(artist=artist)),
            "answers": list(selectors.applications_of(artist=artist)[:100]),
        },
    )


def directory(request):
    filters = clean_filters(DirectoryFilter(request.GET))
    artists = selectors.directory(
        q=filters["q"],
        skill=filters["skill"],
        genre=filters["genre"],
        location=filters["location"],
        open_now=bool(filters["open"]),
    )
    return render(
        request,
        "collab/directory.html",
        {
            "filter_form": DirectoryFilter(request.GET),
            "page": Paginator(artists, selectors.PAGE_SIZE).get_page(request.GET.get("page")),
            "filtered": any(filters.values()),
        },
    )


def call_detail(request, call_id, *, answer_form=None, status=200):
    call = selectors.access_call(user=request.user, call_id=call_id)
    artist = artist_of(user=request.user)
    page = selectors.call_page(artist=artist, call=call)
    can_answer = (
        artist is not None and not page["is_poster"] and page["mine"] is None and call.is_open
    )
    if can_answer and answer_form is None:
        answer_form = AnswerForm(applicant=artist)
    return render(
        request,
        "collab/call.html",
        {**page, "answer_form": answer_form if can_answer else None, "artist": artist},
        status=status,
    )


# --- Calls -------------------------------------------------------------------------------------


@login_required
def call_new(request):
    artist = artist_of(user=request.user)
    if artist is None:
        return _need_artist(request)
    if artist.is_suspended:
        return _suspended(request)
    form = CallForm(request.POST or None, poster=artist)
    if request.method == "POST" and form.is_valid():
        try:
            taken = limits.take_for_artist("post-call", artist_id=artist.id)
        except limits.TooMany as refusal:
            return too_many_page(request, refusal, back=request.path)
        try:
            call = services.post_call(poster=artist, **form.cleaned_data)
        except services.Refused as exc:
            limits.give_back(taken)
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Your call is on the board.")
            return redirect(call)
    status = 422 if form.is_bound else 200
    return render(request, "collab/call_form.html", {"form": form}, status=status)


@login_required
def call_close(request, call_id):
    """GET asks to confirm (no script needed); POST closes."""
    call = selectors.access_own_call(user=request.user, call_id=call_id)
    if request.method != "POST":
        return render(
            request, "collab/close_confirm.html", {"call": call, "grace": DECISION_GRACE.days}
        )
    if services.close_call(call_id=call.id):
        messages.success(
            request,
            "Your call is closed: it takes no new answers. You can still decide on the answers "
            f"you have for {DECISION_GRACE.days} days.",
        )
    else:
        messages.info(request, "This call was already closed.")
    return redirect(call)


# --- Answers -----------------------------------------------------------------------------------


@login_required
@require_POST
def answer(request, call_id):
    call = selectors.access_call(user=request.user, call_id=call_id)
    artist = artist_of(user=request.user)
    if artist is None:
        return _need_artist(request)
    if artist.is_suspended:
        return _suspended(request, back=call.get_absolute_url())
    form = AnswerForm(request.POST, applicant=artist)
    if not form.is_valid():
        return call_detail(request, call_id, answer_form=form, status=422)
    try:
        taken = limits.take_for_artist("apply", artist_id=artist.id)
    except limits.TooMany as refusal:
        return too_many_page(request, refusal, back=call.get_absolute_url())
    try:
        services.apply_to_call(call=call, applicant=artist, **form.cleaned_data)
    except services.Refused as exc:
        limits.give_back(taken)
        status = 403 if isinstance(exc, services.Suspended) else 409
        return problem_page(request, str(exc), status, back=call.get_absolute_url())
    messages.success(request, f"Your answer is on its way to {call.poster.name}.")
    return redirect(call)


@login_required
@require_POST
def decide(request, application_id, decision):
    application = selectors.access_application(user=request.user, application_id=application_id)
    call = application.call
    try:
        services.decide_application(application=application, decision=decision)
    except services.Refused as exc:
        return problem_page(request, str(exc), 409, back=call.get_absolute_url())
    messages.success(request, f"{application.applicant.name} has been told.")
    return redirect(f"{call.get_absolute_url()}#answer-{application.id}")


# --- The reference track -----------------------------------------------------------------------


@never_cache
@require_GET
def reference_play(request, call_id):
    """What the player needs to play a call's reference track (like /track/<id>/play), for its
    poster and applicants only; a 404 with a message for everyone else."""
    call = selectors.access_call(user=request.user, call_id=call_id)
    if not selectors.can_hear_reference(user=request.user, call=call):
        return JsonResponse({"error": "This track is not available."}, status=404)
    return JsonResponse(
        player_item(
            track=call.reference_track,
            sources=reference.reference_sources(call=call, user=request.user),
            play_token=None,  # a private reference track's plays are not counted
            item_id=f"call-{call.id}",
            url=call.get_absolute_url(),
        )
    )


@require_GET
def reference_stream(request, token):
    rendition = reference.rendition_for_token(token, user=request.user)
    return serve_rendition(request, rendition)
