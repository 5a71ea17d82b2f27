"""Library, playlist pages, toggles and profiles as a listener uses them."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from artists.models import Follow
from playlists import services
from playlists.models import Playlist, SavedRelease, SavedTrack
from tests.factories import ArtistFactory, ReleaseFactory, TrackFactory, UserFactory
from tests.playlists.conftest import bulk_tracks, fill, order

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def fan_client(client, fan):
    client.force_login(fan)
    return client


def png(size=(40, 40), colour=(200, 40, 40)) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return SimpleUploadedFile("cover.png", out.getvalue(), content_type="image/png")


# --- Save and follow toggles --------------------------------------------------------------------


def test_saving_a_track_without_javascript_goes_back_to_the_page(fan_client, fan, tracks):
    track = tracks[0]
    url = reverse("playlists:save_track", args=[track.public_id])

    response = fan_client.post(url, {"on": "true", "next": "/@mira-sol/"})

    assert response.status_code == 302
    assert response["Location"] == "/@mira-sol/"
    assert SavedTrack.objects.filter(user=fan, track=track).exists()


def test_saving_with_htmx_swaps_just_the_pressed_button(fan_client, fan, tracks):
    url = reverse("playlists:save_track", args=[tracks[0].public_id])

    response = fan_client.post(url, {"on": "true", "next": "/"}, **HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<form") == 1
    assert 'aria-pressed="true"' in html
    assert 'name="on" value="false"' in html  # the next press unsaves
    assert 'name="next" value="/"' in html


def test_saving_twice_and_unsaving_twice_changes_nothing_more(fan_client, fan, tracks):
    url = reverse("playlists:save_track", args=[tracks[0].public_id])
    fan_client.post(url, {"on": "true"})
    fan_client.post(url, {"on": "true"})
    assert SavedTrack.objects.filter(user=fan).count() == 1
    fan_client.post(url, {"on": "false"})
    fan_client.post(url, {"on": "false"})
    assert SavedTrack.objects.filter(user=fan).count() == 0


def test_a_foreign_next_is_ignored(fan_client, tracks):
    url = reverse("playlists:save_track", args=[tracks[0].public_id])
    response = fan_client.post(url, {"on": "true", "next": "https://evil.example/"})
    assert response["Location"] == tracks[0].get_absolute_url()


def test_anonymous_save_buttons_lead_to_login_and_back(client, tracks):
    page = client.get(tracks[0].get_absolute_url()).content.decode()
    login = reverse("account_login") + "?next=" + tracks[0].get_absolute_url()
    assert login in page
    post = client.post(reverse("playlists:save_track", args=[tracks[0].public_id]))
    assert post["Location"].startswith(reverse("account_login"))


def test_a_private_track_cannot_be_saved_by_others(fan_client, fan, artist):
    track = TrackFactory(artist=artist, visibility="private")
    url = reverse("playlists:save_track", args=[track.public_id])
    assert fan_client.post(url, {"on": "true"}).status_code == 404
    assert not SavedTrack.objects.filter(user=fan).exists()


def test_saving_a_release_and_following_an_artist(fan_client, fan, artist):
    release = ReleaseFactory(artist=artist)
    TrackFactory(artist=artist, release=release)
    fan_client.post(reverse("playlists:save_release", args=[release.public_id]), {"on": "true"})
    response = fan_client.post(
        reverse("artists:follow", args=[artist.slug]), {"on": "true"}, **HTMX
    )
    assert SavedRelease.objects.filter(user=fan, release=release).exists()
    assert Follow.objects.filter(user=fan, artist=artist).exists()
    assert 'aria-pressed="true"' in response.content.decode()
    assert "Following" in response.content.decode()


def test_the_track_page_shows_saved_state_and_the_add_menu(fan_client, fan, tracks):
    services.set_track_saved(user=fan, track=tracks[0], on=True)
    html = fan_client.get(tracks[0].get_absolute_url()).content.decode()
    assert 'aria-pressed="true"' in html
    assert "Add to playlist" in html
    assert f"/playlists/add?track={tracks[0].public_id}" in html


def test_the_add_menu_lists_editable_playlists_escaped(fan_client, fan, outsider, tracks):
    services.create_playlist(owner=fan, title="Morning <b>run</b>")
    shared = services.create_playlist(owner=outsider, title="Shared with fan")
    services.invite_collaborator(playlist=shared, user=fan)
    services.accept_invitation(playlist=shared, user=fan)
    services.create_playlist(owner=outsider, title="Not mine")
    url = reverse("playlists:add") + f"?track={tracks[0].public_id}&next=/library/"

    page = fan_client.get(url).content.decode()
    menu = fan_client.get(url, **HTMX).content.decode()

    for html in (page, menu):
        assert "Morning &lt;b&gt;run&lt;/b&gt;" in html and "Morning <b>run</b>" not in html
        assert "Shared with fan" in html and "Not mine" not in html
        assert 'name="next" value="/library/"' in html
    assert "<html" in page and "<html" not in menu


@pytest.mark.parametrize("query", ["", "?track=a&release=b", "?track=" + "x" * 40])
def test_the_add_menu_refuses_malformed_requests(fan_client, query):
    assert fan_client.get(reverse("playlists:add") + query).status_code == 404


def test_the_add_menu_needs_a_login_and_a_visible_track(client, fan, artist):
    private = TrackFactory(artist=artist, visibility="private")
    url = reverse("playlists:add") + f"?track={private.public_id}"
    assert client.get(url)["Location"].startswith(reverse("account_login"))
    client.force_login(fan)
    assert client.get(url).status_code == 404


# --- Creating, editing, deleting ---------------------------------------------------------------


def test_a_new_playlist_from_a_tracks_menu_starts_with_that_track(fan_client, fan, tracks):
    form = fan_client.get(reverse("playlists:create") + f"?track={tracks[1].public_id}")
    assert tracks[1].public_id in form.content.decode()

    response = fan_client.post(
        reverse("playlists:create"),
        {"title": "  Late   night  ", "visibility": "unlisted", "track": tracks[1].public_id},
    )

    playlist = Playlist.objects.get(owner=fan)
    assert response["Location"] == playlist.get_absolute_url()
    assert playlist.title == "Late night"
    assert playlist.visibility == "unlisted"
    assert order(playlist) == ["Song 2"]


@pytest.mark.parametrize(
    "title, message",
    [
        ("", "This field is required"),
        ("   ", "This field is required"),
        ("x" * 121, "at most 120"),
    ],
)
def test_bad_titles_are_refused_with_a_message(fan_client, fan, title, message):
    response = fan_client.post(
        reverse("playlists:create"), {"title": title, "visibility": "public"}
    )
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not Playlist.objects.exists()


def test_an_unknown_visibility_is_refused(fan_client):
    response = fan_client.post(reverse("playlists:create"), {"title": "A", "visibility": "secret"})
    assert response.status_code == 422
    assert not Playlist.objects.exists()


def test_hostile_names_and_descriptions_are_escaped_everywhere(fan_client, fan, make_playlist):
    playlist = make_playlist("public")
    hostile = '<script>alert("x")</script>'
    fan_client.post(
        reverse("playlists:edit", args=[playlist.public_id]),
        {"title": hostile, "description": f"line one\n{hostile}", "visibility": "public"},
    )
    playlist.refresh_from_db()
    assert playlist.title == hostile
    for url in (
        playlist.get_absolute_url(),
        reverse("playlists:library") + "?section=playlists",
        reverse("playlists:profile", args=[fan.username]),
    ):
        html = fan_client.get(url, follow=True).content.decode()
        assert hostile not in html, url
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html, url


def test_the_owner_uploads_a_cover_and_it_is_re_encoded(fan_client, make_playlist):
    playlist = make_playlist("public")
    response = fan_client.post(
        reverse("playlists:edit", args=[playlist.public_id]),
        {"title": "Road trip", "visibility": "public", "cover": png()},
    )
    assert response.status_code == 302
    playlist.refresh_from_db()
    assert playlist.cover.name.endswith(".jpg")
    assert playlist.cover.url in fan_client.get(playlist.get_absolute_url()).content.decode()


def test_a_file_that_is_not_a_picture_is_refused(fan_client, make_playlist):
    playlist = make_playlist("public")
    fake = SimpleUploadedFile("cover.png", b"not an image", content_type="image/png")
    response = fan_client.post(
        reverse("playlists:edit", args=[playlist.public_id]),
        {"title": "Renamed", "visibility": "public", "cover": fake},
    )
    assert response.status_code == 422
    playlist.refresh_from_db()
    assert playlist.title == "Road trip" and not playlist.cover


def test_without_a_cover_the_first_four_track_covers_make_a_mosaic(fan_client, fan, artist):
    covered = [TrackFactory(artist=artist, cover=png(colour=(n * 40, 0, 0))) for n in range(5)]
    playlist = services.create_playlist(owner=fan, title="Mosaic")
    services.add_tracks(playlist=playlist, tracks=covered, by=fan)
    html = fan_client.get(playlist.get_absolute_url()).content.decode()
    assert 'class="cover mosaic large"' in html
    for track in covered[:4]:
        assert track.cover.url in html
    assert covered[4].cover.url not in html.split("playlist-items")[0]


def test_with_fewer_than_four_covers_the_first_one_is_the_cover(fan_client, fan, artist):
    release = ReleaseFactory(artist=artist, cover=png(colour=(0, 90, 0)))
    album = [TrackFactory(artist=artist, release=release) for _ in range(3)]
    playlist = services.create_playlist(owner=fan, title="One album")
    services.add_tracks(playlist=playlist, tracks=album, by=fan)
    html = fan_client.get(playlist.get_absolute_url()).content.decode()
    assert "cover mosaic" not in html
    assert f'<img class="cover large" src="{release.cover.url}"' in html


def test_deleting_asks_first_then_deletes(fan_client, make_playlist):
    playlist = make_playlist("public")
    url = reverse("playlists:delete", args=[playlist.public_id])
    assert "Delete “Road trip”?" in fan_client.get(url).content.decode()
    assert fan_client.post(url)["Location"] == reverse("playlists:library")
    assert not Playlist.objects.exists()


def test_the_short_address_redirects_to_the_one_with_the_slug(client, make_playlist):
    playlist = make_playlist("public")
    response = client.get(reverse("playlists:short", args=[playlist.public_id]))
    assert response["Location"] == playlist.get_absolute_url()


# --- Adding ------------------------------------------------------------------------------------


def add(client, playlist, **data):
    return client.post(reverse("playlists:add"), {"playlist": playlist.public_id, **data})


@pytest.mark.parametrize(
    "state, message",
    [
        ({"visibility": "private"}, "That track is not available."),
        ({"status": "processing"}, "That track is not available."),
        ({"taken_down": True}, "That track is not available."),
    ],
)
def test_unavailable_tracks_are_refused_with_a_message(
    fan_client, make_playlist, artist, state, message
):
    from django.utils import timezone

    taken_down = state.pop("taken_down", False)
    track = TrackFactory(artist=artist, **state)
    if taken_down:
        track.taken_down_at = timezone.now()
        track.save()
    playlist = make_playlist("public")

    response = add(fan_client, playlist, track=track.public_id)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert len(order(playlist)) == 3


def test_the_artist_cannot_add_their_own_unfinished_track(client, artist):
    track = TrackFactory(artist=artist, status="processing")
    playlist = services.create_playlist(owner=artist.user, title="Mine")
    client.force_login(artist.user)
    response = add(client, playlist, track=track.public_id)
    assert response.status_code == 400
    assert "cannot be played right now" in response.content.decode()


def test_unknown_tracks_and_playlists_are_404(fan_client, make_playlist):
    playlist = make_playlist("public")
    assert add(fan_client, playlist, track="nope").status_code == 404
    response = fan_client.post(reverse("playlists:add"), {"playlist": "nope", "track": "x"})
    assert response.status_code == 404


@pytest.mark.parametrize(
    "data", [{}, {"track": "a", "release": "b"}, {"track": "x" * 500}], ids=str
)
def test_malformed_adds_are_refused(fan_client, make_playlist, data):
    playlist = make_playlist("public")
    response = add(fan_client, playlist, **data)
    assert response.status_code == 400
    assert "Choose one track or one release" in response.content.decode()


def test_adding_a_track_twice_keeps_one_copy(fan_client, make_playlist, tracks):
    playlist = make_playlist("public")
    add(fan_client, playlist, track=tracks[0].public_id, next="/library/")
    response = add(fan_client, playlist, track=tracks[0].public_id, next="/library/")
    assert response.status_code == 302
    assert order(playlist) == ["Song 1", "Song 2", "Song 3"]
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages[-1] == "“Song 1” is already in “Road trip”."


def test_adding_a_whole_release_appends_its_playable_tracks_in_order(fan_client, fan, artist):
    release = ReleaseFactory(artist=artist, title="Album")
    for n, status in enumerate(["ready", "processing", "ready"]):
        TrackFactory(artist=artist, release=release, position=n, title=f"A{n}", status=status)
    playlist = services.create_playlist(owner=fan, title="Empty")
    response = add(fan_client, playlist, release=release.public_id)
    assert response.status_code == 302
    assert order(playlist) == ["A0", "A2"]


# --- Moving and removing -----------------------------------------------------------------------


def move(client, playlist, htmx=False, **data):
    url = reverse("playlists:move", args=[playlist.public_id])
    return client.post(url, data, **(HTMX if htmx else {}))


def test_moving_with_htmx_answers_with_the_list_in_its_new_order(fan_client, make_playlist):
    playlist = make_playlist("public")
    first, _second, third = playlist.items.order_by("rank")

    response = move(fan_client, playlist, htmx=True, item=first.id, after=third.id)

    html = response.content.decode()
    assert response.status_code == 200
    assert html.startswith('<div id="playlist-items"') or 'id="playlist-items"' in html[:200]
    assert html.index("Song 2") < html.index("Song 3") < html.index("Song 1")
    assert order(playlist) == ["Song 2", "Song 3", "Song 1"]


def test_moving_to_the_top_and_without_javascript(fan_client, make_playlist):
    playlist = make_playlist("public")
    third = playlist.items.order_by("rank")[2]
    response = move(fan_client, playlist, item=third.id, after="")
    assert response["Location"] == playlist.get_absolute_url()
    assert order(playlist) == ["Song 3", "Song 1", "Song 2"]


@pytest.mark.parametrize("after", ["abc", "-1", "1.5", "9" * 30])
def test_a_malformed_after_is_refused_and_nothing_moves(fan_client, make_playlist, after):
    playlist = make_playlist("public")
    item = playlist.items.order_by("rank").first()
    response = move(fan_client, playlist, item=item.id, after=after)
    assert response.status_code == 400
    assert "could not be read" in response.content.decode()
    assert order(playlist) == ["Song 1", "Song 2", "Song 3"]


def test_moving_next_to_a_removed_track_explains_itself(fan_client, make_playlist, fan):
    playlist = make_playlist("public")
    first, second, _third = playlist.items.order_by("rank")
    services.remove_item(playlist=playlist, item_id=second.id)
    response = move(fan_client, playlist, htmx=True, item=first.id, after=second.id)
    assert response.status_code == 409
    assert "was removed. Reload to see." in response.content.decode()
    assert order(playlist) == ["Song 1", "Song 3"]


def test_moving_an_item_of_another_playlist_is_refused(fan_client, fan, make_playlist, tracks):
    playlist = make_playlist("public")
    other = services.create_playlist(owner=fan, title="Other")
    services.add_track(playlist=other, track=tracks[3], by=fan)
    foreign = other.items.get()
    response = move(fan_client, playlist, item=foreign.id, after="")
    assert response.status_code == 409
    assert order(other) == ["Song 4"]


def test_remove_with_htmx_answers_with_the_shorter_list(fan_client, make_playlist):
    playlist = make_playlist("public")
    item = playlist.items.order_by("rank").first()
    url = reverse("playlists:remove", args=[playlist.public_id])
    response = fan_client.post(url, {"item": item.id}, **HTMX)
    assert "Song 1" not in response.content.decode()
    assert fan_client.post(url, {"item": item.id}).status_code == 404
    assert fan_client.post(url, {"item": "x"}).status_code == 400


def test_remove_with_htmx_also_updates_the_count_under_the_title(fan_client, make_playlist):
    playlist = make_playlist("public")
    assert "3 tracks" in fan_client.get(playlist.get_absolute_url()).content.decode()
    item = playlist.items.order_by("rank").first()
    url = reverse("playlists:remove", args=[playlist.public_id])
    html = fan_client.post(url, {"item": item.id}, **HTMX).content.decode()
    assert 'id="playlist-count" data-playlist-count hx-swap-oob="true">2 tracks' in html
    moved = move(fan_client, playlist, htmx=True, item=item.id + 1, after="")
    assert "hx-swap-oob" not in moved.content.decode()  # a move changes no count


def test_every_track_of_someone_elses_playlist_has_an_add_menu(client, outsider, make_playlist):
    playlist = make_playlist("public")
    client.force_login(outsider)
    html = client.get(playlist.get_absolute_url()).content.decode()
    for item in playlist.items.select_related("track"):
        assert f"/playlists/add?track={item.track.public_id}&amp;next=" in html


def test_the_add_menus_of_a_refreshed_list_come_back_to_the_playlist(fan_client, make_playlist):
    playlist = make_playlist("public")
    item = playlist.items.order_by("rank").first()
    html = move(fan_client, playlist, htmx=True, item=item.id, after="").content.decode()
    assert f"&amp;next={playlist.get_absolute_url()}" in html
    assert f"next=/playlist/{playlist.public_id}/move" not in html  # a POST-only address


def test_keyboard_move_buttons_point_at_the_right_neighbours(fan_client, make_playlist):
    playlist = make_playlist("public")
    _first, second, third = playlist.items.order_by("rank")
    html = fan_client.get(playlist.get_absolute_url()).content.decode()
    row = html[html.index(f'id="item-{second.id}"') :]
    row = row[: row.index("</li>")]
    assert 'name="after" value=""' in row  # second moves up to the top
    assert f'name="after" value="{third.id}"' in row  # and down after the third


# --- Collaborators -----------------------------------------------------------------------------


def test_the_owner_invites_by_email_or_username_and_removes(fan_client, make_playlist, outsider):
    playlist = make_playlist("private")
    url = reverse("playlists:collaborators", args=[playlist.public_id])
    assert fan_client.post(url, {"who": "OUTSIDER@example.com"}).status_code == 302
    assert playlist.collaborator_set.filter(user=outsider).exists()
    again = fan_client.post(url, {"who": "outsider"}, follow=True)
    assert "was already invited" in again.content.decode()
    fan_client.post(
        reverse("playlists:remove_collaborator", args=[playlist.public_id]),
        {"username": "outsider"},
    )
    assert not playlist.collaborator_set.filter(user=outsider).exists()


def test_a_collaborator_can_leave_and_nobody_else_can(
    client, fan, collaborator, outsider, make_playlist
):
    playlist = make_playlist("private")
    url = reverse("playlists:leave", args=[playlist.public_id])
    client.force_login(collaborator)
    assert "Leave as collaborator" in client.get(playlist.get_absolute_url()).content.decode()
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert response["Location"] == reverse("playlists:library")  # private: no longer visible
    assert not playlist.collaborator_set.filter(user=collaborator).exists()
    assert client.post(url).status_code == 404
    for person in (fan, outsider):
        client.force_login(person)
        assert client.post(url).status_code == 404
    assert "Leave as collaborator" not in client.get(playlist.get_absolute_url()).content.decode()


@pytest.mark.parametrize(
    "who, message",
    [("nobody", "Nobody here has that"), ("fan", "You own this playlist"), ("", "required")],
)
def test_bad_invitations_say_why(fan_client, make_playlist, who, message):
    playlist = make_playlist("private")
    url = reverse("playlists:collaborators", args=[playlist.public_id])
    response = fan_client.post(url, {"who": who})
    assert response.status_code == 422
    assert message in response.content.decode()
    assert playlist.collaborator_set.count() == 1


# --- Library and profiles ----------------------------------------------------------------------


def test_the_library_lists_filters_and_sorts_saved_tracks(fan_client, fan, artist):
    other = ArtistFactory(name="Zed")
    for title, by in [("Banana", artist), ("Apple", other), ("Cherry", artist)]:
        services.set_track_saved(user=fan, track=TrackFactory(title=title, artist=by), on=True)
    url = reverse("playlists:library")

    recent = fan_client.get(url).content.decode()
    by_title = fan_client.get(url, {"sort": "title"}).content.decode()
    by_artist = fan_client.get(url, {"sort": "artist"}).content.decode()
    filtered = fan_client.get(url, {"q": "zed"}).content.decode()

    assert recent.index("Cherry") < recent.index("Apple") < recent.index("Banana")
    assert by_title.index("Apple") < by_title.index("Banana") < by_title.index("Cherry")
    assert by_artist.index("Banana") < by_artist.index("Apple")  # Mira Sol before Zed
    assert "Apple" in filtered and "Banana" not in filtered


def test_the_library_hides_saved_tracks_that_went_private(fan_client, fan, artist):
    track = TrackFactory(artist=artist, title="Gone quiet")
    services.set_track_saved(user=fan, track=track, on=True)
    track.visibility = "private"
    track.save()
    assert "Gone quiet" not in fan_client.get(reverse("playlists:library")).content.decode()


@pytest.mark.parametrize(
    "section", ["tracks", "releases", "artists", "playlists", "following", "recent", "bogus"]
)
def test_every_library_section_renders(fan_client, section):
    response = fan_client.get(
        reverse("playlists:library"), {"section": section, "sort": "x", "page": "zz"}
    )
    assert response.status_code == 200


def test_the_library_needs_a_login(client):
    assert client.get(reverse("playlists:library"))["Location"].startswith(reverse("account_login"))


def test_the_library_shows_own_collaborating_and_followed_playlists(
    client, fan, collaborator, outsider, make_playlist
):
    playlist = make_playlist("public")
    theirs = services.create_playlist(owner=outsider, title="Outsider mix")
    services.set_playlist_followed(user=collaborator, playlist=theirs, on=True)
    client.force_login(collaborator)
    url = reverse("playlists:library")
    assert playlist.title in client.get(url, {"section": "playlists"}).content.decode()
    assert "Outsider mix" in client.get(url, {"section": "following"}).content.decode()


def test_a_fan_profile_shows_public_playlists_and_follows(client, fan, make_playlist, artist):
    make_playlist("public")
    services.create_playlist(owner=fan, title="Secret stuff", visibility="private")
    services.create_playlist(owner=fan, title="Link only", visibility="unlisted")
    Follow.objects.create(user=fan, artist=artist)
    html = client.get(reverse("playlists:profile", args=["fan"])).content.decode()
    assert "Road trip" in html and "Mira Sol" in html
    assert "Secret stuff" not in html and "Link only" not in html


def test_tiles_of_coverless_playlists_show_their_first_audible_cover(fan_client, fan, artist):
    hidden = TrackFactory(artist=artist, cover=png(colour=(90, 0, 0)))
    release = ReleaseFactory(artist=artist, cover=png(colour=(0, 90, 0)))
    shown = TrackFactory(artist=artist, release=release)
    playlist = services.create_playlist(owner=fan, title="Tiled")
    services.add_tracks(playlist=playlist, tracks=[hidden, shown], by=fan)
    hidden.visibility = "private"  # first in the playlist, but nobody else may hear it now
    hidden.save()
    services.create_playlist(owner=fan, title="Empty")
    for url in (reverse("playlists:library") + "?section=playlists", "/u/fan/"):
        html = fan_client.get(url).content.decode()
        assert f'src="{release.cover.url}"' in html, url
        assert hidden.cover.url not in html
        assert html.count('class="cover placeholder') == 1  # "Empty" keeps the placeholder


def test_a_hidden_profile_is_404_except_to_its_owner(client, fan):
    fan.public_profile = False
    fan.save()
    url = reverse("playlists:profile", args=["fan"])
    assert client.get(url).status_code == 404
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404
    client.force_login(fan)
    assert "Only you can see this page" in client.get(url).content.decode()


def test_page_two_knows_the_item_above_it_for_drops_at_its_top(fan_client, fan, artist):
    playlist = services.create_playlist(owner=fan, title="Long")
    fill(playlist, bulk_tracks(artist, 105), fan)
    hundredth = playlist.items.order_by("rank")[99]
    html = fan_client.get(playlist.get_absolute_url() + "?page=2").content.decode()
    assert f'data-page-after="{hundredth.id}"' in html
    assert html.count("data-item=") == 5
    assert 'data-page-after=""' in fan_client.get(playlist.get_absolute_url()).content.decode()


@pytest.mark.parametrize(
    "who, source", [("fan", "own-playlist"), ("collab", "playlist"), (None, "playlist")]
)
def test_plays_from_a_playlist_are_told_apart_for_analytics(client, make_playlist, who, source):
    playlist = make_playlist("public")
    if who:
        client.force_login(UserFactory._meta.model.objects.get(username=who))
    html = client.get(playlist.get_absolute_url()).content.decode()
    assert f'data-source="{source}" data-context="{playlist.public_id}"' in html


def test_the_second_row_of_page_two_moves_up_to_the_top_of_that_page(fan_client, fan, artist):
    playlist = services.create_playlist(owner=fan, title="Long")
    fill(playlist, bulk_tracks(artist, 103), fan)
    rows = list(playlist.items.order_by("rank"))
    url = reverse("playlists:move", args=[playlist.public_id])
    html = fan_client.get(playlist.get_absolute_url() + "?page=2").content.decode()
    assert f'name="after" value="{rows[99].id}" data-move="up"' in html

    fan_client.post(url, {"item": rows[101].id, "after": rows[99].id, "page": 2})

    now = list(playlist.items.order_by("rank").values_list("id", flat=True))
    assert now[100] == rows[101].id and now[101] == rows[100].id


def test_move_buttons_cross_page_boundaries(fan_client, fan, artist):
    playlist = services.create_playlist(owner=fan, title="Long")
    fill(playlist, bulk_tracks(artist, 103), fan)
    rows = list(playlist.items.order_by("rank"))
    url = reverse("playlists:move", args=[playlist.public_id])
    first_page = fan_client.get(playlist.get_absolute_url()).content.decode()
    second_page = fan_client.get(playlist.get_absolute_url() + "?page=2").content.decode()
    assert f'name="after" value="{rows[100].id}" data-move="down"' in first_page
    assert f'name="after" value="{rows[98].id}" data-move="up"' in second_page

    fan_client.post(url, {"item": rows[100].id, "after": rows[98].id, "page": 2})

    now = list(playlist.items.order_by("rank").values_list("id", flat=True))
    assert now[99] == rows[100].id and now[100] == rows[99].id


def test_oversized_input_is_refused_or_trimmed(fan_client, make_playlist):
    playlist = make_playlist("public")
    edit = fan_client.post(
        reverse("playlists:edit", args=[playlist.public_id]),
        {"title": "Fine", "description": "x" * 2001, "visibility": "public"},
    )
    invite = fan_client.post(
        reverse("playlists:collaborators", args=[playlist.public_id]), {"who": "x" * 300}
    )
    library = fan_client.get(reverse("playlists:library"), {"q": "y" * 5000})

    assert edit.status_code == 422 and "at most 2000 characters" in edit.content.decode()
    assert invite.status_code == 422 and "at most 254 characters" in invite.content.decode()
    assert library.status_code == 200
    playlist.refresh_from_db()
    assert playlist.title == "Road trip"


def test_library_playlists_sort_by_the_names_people_see_whatever_their_case(
    fan_client, fan, outsider
):
    outsider.display_name = "Aaron"  # username "outsider": sorts first by what tiles show
    outsider.save()
    zoe = UserFactory(username="aardvark", display_name="Zoë")
    for owner, title in [(outsider, "zebra songs"), (zoe, "apple mix"), (outsider, "Banana")]:
        playlist = services.create_playlist(owner=owner, title=title)
        services.set_playlist_followed(user=fan, playlist=playlist, on=True)
    url = reverse("playlists:library")

    by_title = fan_client.get(url, {"section": "following", "sort": "title"}).text
    by_owner = fan_client.get(url, {"section": "following", "sort": "artist"}).text
    by_name = fan_client.get(url, {"section": "following", "q": "Zoë"}).text

    assert by_title.index("apple mix") < by_title.index("Banana") < by_title.index("zebra songs")
    assert by_owner.index("zebra songs") < by_owner.index("apple mix")  # Aaron before Zoë
    assert "apple mix" in by_name and "Banana" not in by_name


def test_a_playlist_hides_the_tracks_of_a_taken_down_release(client, fan, artist):
    from django.utils import timezone

    from playlists.selectors import visible_items

    release = ReleaseFactory(artist=artist, title="Harbour")
    kept, gone = (
        TrackFactory(artist=artist, title="Kept"),
        TrackFactory(artist=artist, release=release, title="Gone"),
    )
    playlist = services.create_playlist(owner=fan, title="Mix")
    services.add_tracks(playlist=playlist, tracks=[kept, gone], by=fan)
    release.taken_down_at = timezone.now()
    release.save(update_fields=["taken_down_at"])

    page = client.get(playlist.get_absolute_url()).content.decode()
    assert "Kept" in page and "Gone" not in page
    assert [item.track.title for item in visible_items(user=artist.user, playlist=playlist)] == [
        "Kept",
        "Gone",
    ]  # the track's own artist still sees it, as with other hidden tracks
