from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from backstage.forms import form_changes
from backstage.pagecache import cache_for_anonymous
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
    return render(request, "artists/studio.html", {"artist": artist, **studio(artist=artist)})
