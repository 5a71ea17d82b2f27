from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from analytics.selectors import embed_origins
from backstage.forms import form_changes
from backstage.pagecache import cache_for_anonymous
from backstage.toggles import next_url, posted_on, toggled
from tracks.selectors import artist_page, studio

from . import services
from .forms import ArtistForm
from .selectors import access_artist, artist_of


@cache_for_anonymous
def detail(request, slug):
    artist = access_artist(user=request.user, slug=slug)
    return render(
        request,
        "artists/detail.html",
        {"artist": artist, **artist_page(user=request.user, artist=artist)},
    )


def _save(request, form, save):
    if form.is_valid():
        try:
            artist = save(**form_changes(form))
        except services.SlugTaken:
            form.add_error("slug", "That address was just taken. Try another one.")
        else:
            messages.success(request, "Your artist profile is saved.")
            return redirect(artist)
    return render(request, "artists/edit.html", {"form": form}, status=422)


@login_required
def create(request):
    if artist_of(user=request.user):
        return redirect("artists:edit")
    form = ArtistForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        return _save(
            request, form, lambda **data: services.create_artist(user=request.user, **data)
        )
    return render(request, "artists/edit.html", {"form": form, "creating": True})


@login_required
def edit(request):
    artist = artist_of(user=request.user)
    if artist is None:
        return redirect("artists:create")
    form = ArtistForm(request.POST or None, request.FILES or None, instance=artist)
    if request.method == "POST":
        return _save(request, form, lambda **data: services.update_artist(artist=artist, **data))
    return render(request, "artists/edit.html", {"form": form, "artist": artist})


@login_required
def studio_page(request):
    artist = artist_of(user=request.user)
    if artist is None:
        return redirect("artists:create")
    return render(
        request,
        "artists/studio.html",
        {"artist": artist, "embed_origins": embed_origins(artist=artist), **studio(artist=artist)},
    )


@login_required
@require_POST
def follow(request, slug):
    """Follow or unfollow (the posted `on`); htmx swaps just the button."""
    artist = access_artist(user=request.user, slug=slug)
    on = posted_on(request)
    services.set_following(user=request.user, artist=artist, on=on)
    return toggled(
        request,
        template="artists/_follow.html",
        context={"artist": artist},
        back=next_url(request, artist.get_absolute_url()),
        message=f"You follow {artist.name}." if on else f"You no longer follow {artist.name}.",
    )
