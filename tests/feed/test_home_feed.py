"""The signed-in home page: new music from followed artists and changed followed playlists,
only what may be seen, in a fixed number of queries; anonymous visitors keep the cached page."""

from datetime import timedelta

import pytest
from django.utils import timezone

from artists.models import Follow
from playlists.models import Playlist, PlaylistFollow, PlaylistItem
from tests.factories import ArtistFactory, ReleaseFactory, TrackFactory, UserFactory
from tracks.models import Release, Track
from tracks.services import catalogue

pytestmark = pytest.mark.django_db


def follow(user, artist):
    Follow.objects.create(user=user, artist=artist)


def aged(obj, days):
    type(obj).objects.filter(pk=obj.pk).update(created_at=timezone.now() - timedelta(days=days))


def home(client, user):
    client.force_login(user)
    return client.get("/").content.decode()


def test_new_releases_and_singles_of_followed_artists_come_first_newest_first(client, fan, artist):
    follow(fan, artist)
    older = ReleaseFactory(artist=artist, title="Older Album")
    TrackFactory(artist=artist, release=older)
    aged(older, 10)
    newer = ReleaseFactory(artist=artist, title="Newer EP", kind="ep")
    TrackFactory(artist=artist, release=newer)
    single = TrackFactory(artist=artist, title="Loose Single")
    stranger = ArtistFactory(name="Not Followed")
    TrackFactory(artist=stranger, release=ReleaseFactory(artist=stranger, title="Stranger LP"))
    html = home(client, fan)
    feed = html[html.index("New from artists you follow") : html.index('id="new-releases"')]
    assert feed.index("Newer EP") < feed.index("Older Album")
    assert "Loose Single" in feed and f'data-play="{single.public_id}"' in feed
    assert "Stranger LP" not in feed
    assert 'aria-labelledby="feed-new" data-source="feed"' in html


def test_old_and_hidden_music_stays_out_of_the_feed(client, fan, artist):
    follow(fan, artist)
    old = ReleaseFactory(artist=artist, title="Ancient")
    TrackFactory(artist=artist, release=old)
    aged(old, 61)
    hidden = [
        TrackFactory(artist=artist, title="Hidden private", visibility="private"),
        TrackFactory(artist=artist, title="Hidden unlisted", visibility="unlisted"),
        TrackFactory(artist=artist, title="Hidden processing", status=Track.Status.PROCESSING),
        TrackFactory(artist=artist, title="Hidden taken", taken_down_at=timezone.now()),
    ]
    for visibility, title in (("private", "Hidden private LP"), ("public", "Hidden empty LP")):
        ReleaseFactory(artist=artist, title=title, visibility=visibility)
    TrackFactory(
        artist=artist,
        release=Release.objects.get(title="Hidden private LP"),
        title="on private release",
    )
    suspended = ArtistFactory(is_suspended=True)
    follow(fan, suspended)
    TrackFactory(artist=suspended, title="Hidden suspended")
    assert hidden
    html = home(client, fan)
    feed = html[html.index("New from artists you follow") : html.index('id="new-releases"')]
    assert "Hidden" not in feed and "Ancient" not in feed
    assert "Nothing new in the last two months" in feed


def test_an_old_private_release_made_public_today_is_new_today(client, fan, artist):
    follow(fan, artist)
    release = ReleaseFactory(artist=artist, title="Vault Tapes", visibility="private")
    TrackFactory(artist=artist, release=release)
    aged(release, 400)
    recent = ReleaseFactory(artist=artist, title="Last Month")
    TrackFactory(artist=artist, release=recent)
    aged(recent, 30)
    assert "Vault Tapes" not in home(client, fan)

    release.refresh_from_db()
    catalogue.update_release(release=release, visibility="public")  # announces it

    html = home(client, fan)
    feed = html[html.index("New from artists you follow") : html.index('id="new-releases"')]
    assert feed.index("Vault Tapes") < feed.index("Last Month")
    assert f"Added {timezone.now():%-d %b}" in feed


def test_someone_following_nobody_is_told_how_to_fill_the_feed(client, fan):
    assert "Follow artists" in home(client, fan)


def test_followed_playlists_that_changed_are_listed_with_what_changed(client, fan, artist):
    owner = UserFactory(username="curator", display_name="The Curator")
    changed = Playlist.objects.create(owner=owner, title="Night Buses")
    still = Playlist.objects.create(owner=owner, title="Unchanged Mix")
    private = Playlist.objects.create(owner=owner, title="Gone Private", visibility="private")
    for playlist in (changed, still, private):
        PlaylistFollow.objects.create(user=fan, playlist=playlist)
    PlaylistFollow.objects.filter(playlist=still).update(
        created_at=timezone.now() + timedelta(minutes=1)
    )
    for n in range(2):
        PlaylistItem.objects.create(
            playlist=changed, track=TrackFactory(artist=artist), rank=f"{n}"
        )
    Playlist.objects.filter(pk__in=[changed.pk, private.pk]).update(
        updated_at=timezone.now() + timedelta(seconds=5)
    )
    html = home(client, fan)
    section = html[html.index("Playlists you follow that changed") :]
    assert "Night Buses" in section and "2 new tracks" in section and "The Curator" in section
    assert "Unchanged Mix" not in section and "Gone Private" not in section


def test_the_feed_costs_the_same_queries_for_one_follow_or_many(
    client, fan, django_assert_num_queries
):
    def add_follows(n):
        for _ in range(n):
            artist = ArtistFactory()
            follow(fan, artist)
            TrackFactory(artist=artist, release=ReleaseFactory(artist=artist))
            TrackFactory(artist=artist)
            playlist = Playlist.objects.create(owner=UserFactory(), title="P")
            PlaylistFollow.objects.create(user=fan, playlist=playlist)
            PlaylistItem.objects.create(
                playlist=playlist, track=TrackFactory(artist=artist), rank="a"
            )
            Playlist.objects.filter(pk=playlist.pk).update(
                updated_at=timezone.now() + timedelta(seconds=5)
            )

    client.force_login(fan)
    add_follows(1)
    client.get("/")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get("/")
    add_follows(8)
    with django_assert_num_queries(len(one)):
        html = client.get("/").content.decode()
    assert html.count("new track") == 6  # capped list of changed playlists


def test_anonymous_visitors_get_the_cached_page_and_no_feed(client, settings, artist):
    settings.PAGE_CACHE = True
    first = client.get("/")
    second = client.get("/")
    assert second["X-Page-Cache"] == "hit"
    assert b"New from artists you follow" not in first.content


def test_signed_in_pages_are_never_served_from_the_cache(client, settings, fan, artist):
    settings.PAGE_CACHE = True
    client.get("/")
    client.force_login(fan)
    response = client.get("/")
    assert "X-Page-Cache" not in response
    assert b"New from artists you follow" in response.content


def test_discovery_lists_no_release_with_nothing_to_play(client, artist):
    """Fixed in the foundation's listed_releases: an album whose tracks are all still
    processing (or private) used to show among "New releases" as an empty page."""
    waiting = ReleaseFactory(artist=artist, title="Still Processing LP")
    TrackFactory(artist=artist, release=waiting, status=Track.Status.PROCESSING)
    secret = ReleaseFactory(artist=artist, title="Only Private Tracks LP")
    TrackFactory(artist=artist, release=secret, visibility="private")
    ready = ReleaseFactory(artist=artist, title="Ready LP")
    TrackFactory(artist=artist, release=ready)
    html = client.get("/").content.decode()
    assert "Ready LP" in html
    assert "Still Processing LP" not in html and "Only Private Tracks LP" not in html
