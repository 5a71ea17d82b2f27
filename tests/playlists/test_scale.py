"""Pages stay constant in queries as lists grow, up to the 10,000-track limit."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from analytics.services import record_stream_start
from artists.models import Follow
from playlists import services
from playlists.models import MAX_ITEMS
from tests.factories import ArtistFactory, ReleaseFactory, TrackFactory
from tests.playlists.conftest import bulk_tracks, fill


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


@pytest.mark.parametrize("viewer", ["owner", "collaborator", "anonymous"])
def test_a_playlist_page_costs_the_same_with_3_or_60_tracks(
    client, fan, collaborator, artist, viewer
):
    small = services.create_playlist(owner=fan, title="Small")
    large = services.create_playlist(owner=fan, title="Large")
    for playlist in (small, large):
        services.invite_collaborator(playlist=playlist, user=collaborator)
        services.accept_invitation(playlist=playlist, user=collaborator)
    fill(small, bulk_tracks(artist, 3), fan)
    fill(large, bulk_tracks(artist, 60), fan)
    services.set_track_saved(user=fan, track=large.items.first().track, on=True)
    if viewer != "anonymous":
        client.force_login(fan if viewer == "owner" else collaborator)

    assert queries(client, small.get_absolute_url()) == queries(client, large.get_absolute_url())


def test_a_playlist_of_10000_tracks_renders_one_page_and_refuses_one_more(client, fan, artist):
    playlist = services.create_playlist(owner=fan, title="Everything")
    small = services.create_playlist(owner=fan, title="Small")
    fill(small, bulk_tracks(artist, 3), fan)
    fill(playlist, bulk_tracks(artist, MAX_ITEMS), fan)
    client.force_login(fan)

    assert queries(client, playlist.get_absolute_url()) == queries(client, small.get_absolute_url())
    html = client.get(playlist.get_absolute_url() + "?page=100").content.decode()
    assert "10000 tracks" in html and "Page 100 of 100" in html
    assert html.count("data-item=") == 100

    extra = TrackFactory(artist=artist)
    response = client.post(
        reverse("playlists:add"), {"playlist": playlist.public_id, "track": extra.public_id}
    )
    assert response.status_code == 400
    assert "A playlist holds at most 10,000 tracks." in response.content.decode()
    assert playlist.items.count() == MAX_ITEMS


def test_moving_the_last_of_10000_tracks_to_the_top_writes_one_row(client, fan, artist):
    playlist = services.create_playlist(owner=fan, title="Everything")
    fill(playlist, bulk_tracks(artist, MAX_ITEMS), fan)
    last = playlist.items.order_by("-rank").first()
    client.force_login(fan)

    with CaptureQueriesContext(connection) as captured:
        client.post(reverse("playlists:move", args=[playlist.public_id]), {"item": last.id})

    writes = [q["sql"] for q in captured if q["sql"].startswith("UPDATE")]
    item_writes = [sql for sql in writes if "playlists_playlistitem" in sql]
    assert len(item_writes) == 1
    assert playlist.items.order_by("rank").first() == last


def library_counts(client, section, small_user, large_user) -> tuple[int, int]:
    url = reverse("playlists:library") + f"?section={section}"
    client.force_login(small_user)
    small = queries(client, url)
    client.force_login(large_user)
    return small, queries(client, url)


def fill_library(user, artist, count: int) -> None:
    tracks = bulk_tracks(artist, count)
    for track in tracks:
        services.set_track_saved(user=user, track=track, on=True)
        record_stream_start(track=track, user=user, source="library", origin="", context="")
    for n in range(count):
        release = ReleaseFactory(artist=artist)
        TrackFactory(artist=artist, release=release, renditions=False)
        services.set_release_saved(user=user, release=release, on=True)
        Follow.objects.create(user=user, artist=ArtistFactory())
        services.create_playlist(owner=user, title=f"Mine {n}")
        services.set_playlist_followed(
            user=user,
            playlist=services.create_playlist(owner=artist.user, title=f"Theirs {n}"),
            on=True,
        )


@pytest.mark.parametrize(
    "section", ["tracks", "releases", "artists", "playlists", "following", "recent"]
)
def test_every_library_section_costs_the_same_with_3_or_60_items(
    client, fan, outsider, artist, section
):
    fill_library(outsider, artist, 3)
    fill_library(fan, artist, 60)
    small, large = library_counts(client, section, outsider, fan)
    assert small == large
    assert large < 20


def test_deleting_a_track_keeps_its_playlists_counts_true(
    make_playlist, tracks, django_capture_on_commit_callbacks
):
    playlist = make_playlist("public")
    assert playlist.item_count == 3
    with django_capture_on_commit_callbacks(execute=True):
        tracks[0].delete()
    playlist.refresh_from_db()
    assert playlist.item_count == 2
    assert playlist.items.count() == 2


def test_playlist_tiles_show_a_mosaic_of_covers_anyone_may_see_in_one_query(
    client, fan, artist, collaborator
):
    def playlist_of_covered_tracks(title: str, count: int):
        playlist = services.create_playlist(owner=fan, title=title)
        tracks = [TrackFactory(artist=artist, cover=f"covers/{title}-{n}.jpg") for n in range(5)]
        services.add_tracks(playlist=playlist, tracks=tracks[:count], by=fan)
        return playlist, tracks

    _, tracks = playlist_of_covered_tracks("mosaic", 5)
    tracks[1].visibility = "private"  # its cover must not show to anyone else
    tracks[1].save()
    playlist_of_covered_tracks("three", 3)  # three covers make no 2×2 mosaic
    url = reverse("playlists:profile", args=[fan.username])

    html = client.get(url).content.decode()
    assert html.count('class="cover mosaic') == 1
    shown = [f"covers/mosaic-{n}.jpg" in html for n in range(5)]
    assert shown == [True, False, True, True, True]

    few = queries(client, url)
    for n in range(10):
        playlist_of_covered_tracks(f"more-{n}", 4)
    assert queries(client, url) == few
