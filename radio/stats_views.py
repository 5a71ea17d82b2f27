"""The artist's side of the radio: its figures, which tracks it may play, and the public
explanation of how it picks."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from analytics import stats
from analytics.forms import PeriodForm
from artists.selectors import artist_of

from . import explain, opt_in
from .stats import access_radio_subject, radio_figures


@require_GET
def how_it_picks(request):
    return render(request, "radio/how_it_picks.html", explain.picker_facts())


@never_cache
@require_GET
def radio_stats(request, kind: str, key: str):
    """One artist's, release's or track's radio figures: for its artist and for staff (the
    exposure report links here). The artist also sees them on the stats dashboard."""
    subject = access_radio_subject(user=request.user, kind=kind, key=key)
    form = PeriodForm(request.GET, today=stats.today())
    period = form.chosen(subject=subject)
    return render(
        request,
        "radio/stats_page.html",
        {"subject": subject, "period": period, "form": form, "periods": stats.PERIOD_LINKS,
         "radio": radio_figures(subject=subject, period=period)},
        status=400 if form.errors else 200,
    )  # fmt: skip


@login_required
@never_cache
def studio_radio(request):
    """The artist's tracks with their radio setting; tick some and put them on or off."""
    artist = artist_of(user=request.user)
    if artist is None:
        return redirect("artists:create")
    tracks = opt_in.artist_tracks(artist=artist)
    form = opt_in.RadioChoiceForm(request.POST or None, tracks=tracks)
    if request.method == "POST":
        if form.is_valid():
            on = form.cleaned_data["radio"]
            changed = opt_in.set_radio_enabled(
                artist=artist, public_ids=form.cleaned_data["tracks"], enabled=on
            )
            where = "on" if on else "off"
            messages.success(
                request, f"{changed} track{'s' if changed != 1 else ''} put {where} the radio."
            )
            return redirect("radio:studio")
        status = 400
    else:
        status = 200
    return render(
        request, "radio/studio_radio.html",
        {"artist": artist, "tracks": tracks, "form": form,
         "ticked": set(request.POST.getlist("tracks"))},
        status=status,
    )  # fmt: skip
