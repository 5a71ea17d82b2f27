"""Library, playlists and fan profiles.

Permissions answer 404, never 403: a playlist someone may not see and a change someone may not
make look the same as a missing playlist (private playlists stay secret). Anonymous visitors
get the same 404 on every playlist change; only the save/follow toggles send them to log in.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from backstage.forms import form_changes
from backstage.toggles import next_url, posted_on, toggled
from tracks.selectors import access_release, access_track, release_tracks

from . import selectors, services
from .forms import AddChoicesForm, AddForm, InviteForm, ItemForm, NewPlaylistForm, PlaylistForm
from .library import library_page
from .models import Playlist


def problem(request, message: str, *, back: str, status: int = 400):
    """A refused change: the message in a page of its own (or, for htmx, the live region)."""
    template = "playlists/_problem.html" if request.htmx else "playlists/problem.html"
    return render(request, template, {"message": message, "back": back}, status=status)


# --- Library ---------------------------------------------------------------------------------


@login_required
def library(request):
    context = library_page(
        user=request.user,
        section=request.GET.get("section", ""),
        sort=request.GET.get("sort", ""),
        query=request.GET.get("q", ""),
        page=request.GET.get("page"),
    )
    invitations = selectors.invitations_for(user=request.user)[:20]
    return render(request, "playlists/library.html", {**context, "invitations": invitations})


def _save_toggle(request, item, *, save, template: str, name: str):
    """Save or unsave a track or release (`save` is the service), answered like every toggle."""
    on = posted_on(request)
    back = next_url(request, item.get_absolute_url())
    try:
        save(user=request.user, on=on, **{name: item})
    except services.PlaylistError as exc:
        return problem(request, str(exc), back=back)
    return toggled(
        request,
        template=template,
        context={name: item},
        back=back,
        message=f"Saved “{item.title}” to your library." if on else "Removed from your library.",
    )


@login_required
@require_POST
def save_track(request, public_id):
    return _save_toggle(
        request,
        access_track(user=request.user, public_id=public_id),
        save=services.set_track_saved,
        template="playlists/_save_track.html",
        name="track",
    )


@login_required
@require_POST
def save_release(request, public_id):
    return _save_toggle(
        request,
        access_release(user=request.user, public_id=public_id),
        save=services.set_release_saved,
        template="playlists/_save_release.html",
        name="release",
    )


def _detail_url(playlist: Playlist, page=None) -> str:
    url = playlist.get_absolute_url()
    return f"{url}?page={page}" if page and int(page) > 1 else url


def _items_context(request, playlist: Playlist, page_number) -> dict:
    """The tracklist of one page, with each row's move-up/move-down targets."""
    page = selectors.items_page(user=request.user, playlist=playlist, page=page_number)
    items = list(page.object_list)
    above, below = selectors.page_edges(user=request.user, playlist=playlist, page=page)
    ids = [str(i) for i in above] + [str(item.id) for item in items]
    offset = len(above)
    for i, item in enumerate(items):
        # Move up: after the row two above (or to the very top); move down: after the next row.
        # The rows just above and below the page count too, so moves cross page boundaries.
        at = i + offset
        item.up_after = ids[at - 2] if at >= 2 else ("" if at == 1 else None)
        if i + 1 < len(items):
            item.down_after = ids[at + 1]
        else:
            item.down_after = str(below) if below else None
    is_owner = selectors.is_owner(user=request.user, playlist=playlist)
    return {
        "playlist": playlist,
        "page": page,
        "items": items,
        "page_after": ids[offset - 1] if offset else "",  # a drop at the top of this page
        "can_edit": selectors.can_edit(user=request.user, playlist=playlist),
        "is_owner": is_owner,
        "source": "own-playlist" if is_owner else "playlist",  # analytics.models.Source
    }


def detail(request, public_id, slug=""):
    playlist = selectors.access_playlist(user=request.user, public_id=public_id)
    if slug != playlist.slug:
        return redirect(playlist, permanent=False)
    context = _items_context(request, playlist, request.GET.get("page"))
    return render(
        request,
        "playlists/detail.html",
        {
            **context,
            "mosaic": []
            if playlist.cover
            else selectors.cover_mosaic(user=request.user, playlist=playlist),
            "total_seconds": selectors.total_seconds(user=request.user, playlist=playlist),
            "following": selectors.is_following(user=request.user, playlist=playlist),
            "collaborators": selectors.collaborators_of(playlist=playlist),
            "invited": selectors.is_invited(user=request.user, playlist=playlist),
        },
    )


@login_required
def create(request):
    form = NewPlaylistForm(request.POST or None, initial={"track": request.GET.get("track", "")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        playlist = services.create_playlist(
            owner=request.user,
            title=data["title"],
            description=data["description"],
            visibility=data["visibility"],
        )
        messages.success(request, f"Created “{playlist.title}”.")
        if data["track"]:
            _add_first_track(request, playlist, data["track"])
        return redirect(playlist)
    status = 422 if request.method == "POST" else 200
    return render(request, "playlists/edit.html", {"form": form, "creating": True}, status=status)


def _add_first_track(request, playlist: Playlist, public_id: str) -> None:
    try:
        track = selectors.track_for_adding(public_id=public_id)
        services.add_track(playlist=playlist, track=track, by=request.user)
    except (Http404, services.PlaylistError) as exc:
        messages.error(request, f"The track was not added: {exc}")
    else:
        messages.success(request, f"Added “{track.title}”.")


def edit(request, public_id):
    playlist = selectors.access_playlist(user=request.user, public_id=public_id, own=True)
    form = PlaylistForm(request.POST or None, request.FILES or None, instance=playlist)
    if request.method == "POST":
        if form.is_valid():
            services.update_playlist(playlist=playlist, **form_changes(form))
            messages.success(request, "Playlist saved.")
            return redirect(playlist)
        playlist.refresh_from_db()  # the form wrote invalid values onto the instance
        return render(
            request, "playlists/edit.html", {"form": form, "playlist": playlist}, status=422
        )
    return render(request, "playlists/edit.html", {"form": form, "playlist": playlist})


def delete(request, public_id):
    playlist = selectors.access_playlist(user=request.user, public_id=public_id, own=True)
    if request.method == "POST":
        services.delete_playlist(playlist=playlist)
        messages.success(request, f"Deleted “{playlist.title}”.")
        return redirect("playlists:library")
    return render(request, "playlists/delete.html", {"playlist": playlist})


@login_required
@require_GET
def add_choices(request):
    """The playlists a track (or release) can go into: the "Add to playlist" menu's contents
    (htmx, on opening) or a page of its own (without JavaScript)."""
    form = AddChoicesForm(request.GET)
    if not form.is_valid():
        raise Http404("Choose one track or one release to add.")
    data = form.cleaned_data
    if data["release"]:
        context = {"release": access_release(user=request.user, public_id=data["release"])}
    else:
        context = {"track": access_track(user=request.user, public_id=data["track"])}
    context["next"] = next_url(request, "/")
    template = "playlists/_add_choices.html" if request.htmx else "playlists/add.html"
    return render(request, template, context)


@require_POST
def add_to(request):
    """Add a track (or every track of a release) to a playlist, from any track's menu."""
    form = AddForm(request.POST)
    back = next_url(request, "/")
    if not form.is_valid():
        return problem(request, "Choose one track or one release to add.", back=back)
    data = form.cleaned_data
    playlist = selectors.access_playlist(user=request.user, public_id=data["playlist"], edit=True)
    if data["release"]:
        release = access_release(user=request.user, public_id=data["release"])
        tracks = [t for t in release_tracks(user=request.user, release=release) if t.is_playable]
        what = f"“{release.title}”"
        if not tracks:
            return problem(request, "That release has no tracks that can be played yet.", back=back)
    else:
        tracks = [selectors.track_for_adding(public_id=data["track"])]
        what = f"“{tracks[0].title}”"
    try:
        added = services.add_tracks(playlist=playlist, tracks=tracks, by=request.user)
    except services.PlaylistError as exc:
        return problem(request, str(exc), back=back)
    if added:
        messages.success(request, f"Added {what} to “{playlist.title}”.")
    else:
        messages.info(request, f"{what} is already in “{playlist.title}”.")
    return redirect(back)


def add(request):
    if request.method == "POST":
        return add_to(request)
    return add_choices(request)


def _item_form(request) -> ItemForm:
    form = ItemForm(request.POST)
    if not form.is_valid():
        raise ValueError("That request could not be read. Reload the page and try again.")
    return form


def _list_or_redirect(
    request, playlist: Playlist, page, *, error: str = "", status: int = 200, removed=False
):
    """After a move or removal: htmx gets the refreshed list (after a removal, with the track
    count and length under the title, out of band), everyone else the page."""
    if request.htmx:
        context = {**_items_context(request, playlist, page), "error": error}
        if removed:
            context["count_changed"] = True
            context["total_seconds"] = selectors.total_seconds(user=request.user, playlist=playlist)
        context["next"] = _detail_url(playlist, context["page"].number)  # for the save buttons
        return render(request, "playlists/_items.html", context, status=status)
    if error:
        return problem(request, error, back=_detail_url(playlist, page), status=status)
    return redirect(_detail_url(playlist, page))


@require_POST
def move(request, public_id):
    playlist = selectors.access_playlist(user=request.user, public_id=public_id, edit=True)
    try:
        form = _item_form(request)
    except ValueError as exc:
        return _list_or_redirect(request, playlist, 1, error=str(exc), status=400)
    data = form.cleaned_data
    try:
        services.move_item(playlist=playlist, item_id=data["item"], after_id=data["after"])
    except services.PlaylistError as exc:
        return _list_or_redirect(request, playlist, data["page"], error=str(exc), status=409)
    return _list_or_redirect(request, playlist, data["page"])


@require_POST
def remove(request, public_id):
    playlist = selectors.access_playlist(user=request.user, public_id=public_id, edit=True)
    try:
        form = _item_form(request)
    except ValueError as exc:
        return _list_or_redirect(request, playlist, 1, error=str(exc), status=400)
    item = selectors.access_item(
        user=request.user, playlist=playlist, item_id=form.cleaned_data["item"]
    )
    services.remove_item(playlist=playlist, item_id=item.id)
    if not request.htmx:
        messages.success(request, f"Removed “{item.track.title}”.")
    return _list_or_redirect(request, playlist, form.cleaned_data["page"], removed=True)


def collaborators(request, public_id):
    playlist = selectors.access_playlist(user=request.user, public_id=public_id, own=True)
    form = InviteForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            person = selectors.find_user(name_or_email=form.cleaned_data["who"])
            if person is None:
                form.add_error("who", "Nobody here has that username or e-mail address.")
            else:
                try:
                    created = services.invite_collaborator(playlist=playlist, user=person)
                except services.PlaylistError as exc:
                    form.add_error("who", str(exc))
                else:
                    messages.success(
                        request,
                        f"Invited {person.name}: they can add and reorder tracks once they accept."
                        if created
                        else f"{person.name} was already invited.",
                    )
                    return redirect("playlists:collaborators", public_id=playlist.public_id)
    return render(
        request,
        "playlists/collaborators.html",
        {
            "playlist": playlist,
            "form": form,
            "collaborators": selectors.collaborators_of(playlist=playlist),
            "invited": selectors.collaborators_of(playlist=playlist, pending=True),
        },
        status=status,
    )


@require_POST
def remove_collaborator(request, public_id):
    playlist = selectors.access_playlist(user=request.user, public_id=public_id, own=True)
    person = selectors.find_user(name_or_email=request.POST.get("username", "")[:254])
    if person is not None:
        services.remove_collaborator(playlist=playlist, user=person)
        messages.success(request, f"{person.name} can no longer change this playlist.")
    return redirect("playlists:collaborators", public_id=playlist.public_id)


@login_required
@require_POST
def accept(request, public_id):
    """An invitee takes up the invitation to collaborate."""
    playlist = selectors.access_playlist(user=request.user, public_id=public_id)
    if not services.accept_invitation(playlist=playlist, user=request.user):
        raise Http404("No such invitation.")
    messages.success(request, f"You can now add tracks to “{playlist.title}” and reorder them.")
    return redirect(playlist)


@require_POST
def leave(request, public_id):
    """A collaborator stops being one, or an invitee declines."""
    playlist = selectors.access_playlist(user=request.user, public_id=public_id)
    invited = selectors.is_invited(user=request.user, playlist=playlist)
    if not (invited or selectors.is_collaborator(user=request.user, playlist=playlist)):
        raise Http404("No such playlist.")
    services.remove_collaborator(playlist=playlist, user=request.user)
    messages.success(
        request,
        f"You declined the invitation to “{playlist.title}”."
        if invited
        else f"You left “{playlist.title}”: you can no longer change it.",
    )
    if selectors.can_see(user=request.user, playlist=playlist):
        return redirect(playlist)
    return redirect("playlists:library")


@login_required
@require_POST
def follow(request, public_id):
    playlist = selectors.access_playlist(user=request.user, public_id=public_id)
    on = posted_on(request)
    back = next_url(request, playlist.get_absolute_url())
    try:
        services.set_playlist_followed(user=request.user, playlist=playlist, on=on)
    except services.PlaylistError as exc:
        return problem(request, str(exc), back=back)
    return toggled(
        request,
        template="playlists/_follow_playlist.html",
        context={"playlist": playlist, "following": on},
        back=back,
        message=f"You follow “{playlist.title}”." if on else "Unfollowed.",
    )


# --- Fan profiles ----------------------------------------------------------------------------


def profile(request, username):
    person = selectors.access_profile(viewer=request.user, username=username)
    return render(
        request,
        "playlists/profile.html",
        {
            "person": person,
            "playlists": selectors.with_mosaics(
                selectors.playlists_of(owner=person, viewer=request.user)[:60]
            ),
            "follows": selectors.followed_artists(user=person)[:60],
            "is_self": selectors.is_self(person, request.user),
        },
    )
