"""Follows, saves and playlist adds per day, kept as rows come and go, equal to a recount."""

import random
from datetime import UTC, date, datetime

import pytest

from analytics import engagement
from analytics.models import DailyCount, Metric, Scope
from artists.services import set_following
from playlists import services as playlists
from tests.factories import ReleaseFactory, TrackFactory, UserFactory
from tracks.services.catalogue import update_track

pytestmark = pytest.mark.django_db
MONDAY = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
MONDAY_DAY = MONDAY.date()


def on(monkeypatch, moment):
    """Make rows as if it were `moment` (auto_now_add reads timezone.now)."""
    monkeypatch.setattr("django.utils.timezone.now", lambda: moment)


def counts(metric=None):
    rows = DailyCount.objects.exclude(metric=Metric.LISTENERS).exclude(value=0)
    if metric:
        rows = rows.filter(metric=metric)
    return sorted(rows.values_list("scope", "scope_id", "day", "metric", "value"))


def value(scope, scope_id, metric, day=MONDAY_DAY):
    row = DailyCount.objects.filter(scope=scope, scope_id=scope_id, metric=metric, day=day).first()
    return row.value if row else 0


@pytest.fixture
def release():
    return ReleaseFactory()


@pytest.fixture
def tracks(release):
    return [TrackFactory(artist=release.artist, release=release) for _ in range(3)]


def test_a_follow_counts_for_the_artist_on_its_day_and_an_unfollow_takes_it_back(
    release, monkeypatch
):
    fans = [UserFactory() for _ in range(3)]
    on(monkeypatch, MONDAY)
    for fan in fans:
        set_following(user=fan, artist=release.artist, on=True)
    set_following(user=fans[0], artist=release.artist, on=True)  # again: nothing changes
    assert value(Scope.ARTIST, release.artist_id, Metric.FOLLOWS) == 3
    on(monkeypatch, datetime(2026, 11, 20, tzinfo=UTC))  # a later day
    set_following(user=fans[0], artist=release.artist, on=False)
    assert value(Scope.ARTIST, release.artist_id, Metric.FOLLOWS) == 2  # Monday's, not today's
    assert counts() == [("a", release.artist_id, MONDAY.date(), "follows", 2)]


def test_saves_count_for_track_release_and_artist(tracks, release, monkeypatch):
    fan = UserFactory()
    on(monkeypatch, MONDAY)
    playlists.set_track_saved(user=fan, track=tracks[0], on=True)
    playlists.set_release_saved(user=fan, release=release, on=True)
    assert value(Scope.TRACK, tracks[0].pk, Metric.SAVES) == 1
    assert value(Scope.RELEASE, release.pk, Metric.SAVES) == 2  # the track's and its own
    assert value(Scope.ARTIST, release.artist_id, Metric.SAVES) == 2
    playlists.set_track_saved(user=fan, track=tracks[0], on=False)
    assert value(Scope.RELEASE, release.pk, Metric.SAVES) == 1


def test_adding_a_whole_release_to_a_playlist_counts_every_track(tracks, release, monkeypatch):
    fan = UserFactory()
    on(monkeypatch, MONDAY)
    playlist = playlists.create_playlist(owner=fan, title="Mix")
    assert playlists.add_tracks(playlist=playlist, tracks=tracks, by=fan) == 3
    playlists.add_tracks(playlist=playlist, tracks=tracks, by=fan)  # all there already
    assert value(Scope.RELEASE, release.pk, Metric.PLAYLIST_ADDS) == 3
    assert value(Scope.TRACK, tracks[1].pk, Metric.PLAYLIST_ADDS) == 1
    item = playlist.items.get(track=tracks[1])
    playlists.remove_item(playlist=playlist, item_id=item.id)
    assert value(Scope.ARTIST, release.artist_id, Metric.PLAYLIST_ADDS) == 2


def test_deleting_a_big_playlist_takes_its_adds_back_in_a_few_queries(
    release, monkeypatch, django_assert_max_num_queries
):
    fan = UserFactory()
    many = [TrackFactory(artist=release.artist, release=release) for _ in range(40)]
    playlist = playlists.create_playlist(owner=fan, title="Everything")
    playlists.add_tracks(playlist=playlist, tracks=many, by=fan)
    assert value(Scope.ARTIST, release.artist_id, Metric.PLAYLIST_ADDS, date.today()) == 40
    with django_assert_max_num_queries(12):  # not one per item
        playlists.delete_playlist(playlist=playlist)
    assert counts() == []


def test_deleting_a_user_takes_back_everything_they_did(tracks, release, monkeypatch):
    fan, other = UserFactory(), UserFactory()
    on(monkeypatch, MONDAY)
    for user in (fan, other):
        set_following(user=user, artist=release.artist, on=True)
        playlists.set_track_saved(user=user, track=tracks[0], on=True)
        playlists.set_release_saved(user=user, release=release, on=True)
        playlist = playlists.create_playlist(owner=user, title="Mine")
        playlists.add_tracks(playlist=playlist, tracks=tracks[:2], by=user)
    only_other = counts()
    fan.delete()
    assert value(Scope.ARTIST, release.artist_id, Metric.FOLLOWS) == 1
    assert value(Scope.RELEASE, release.pk, Metric.SAVES) == 2
    assert value(Scope.ARTIST, release.artist_id, Metric.PLAYLIST_ADDS) == 2
    assert counts() == [(*row[:4], row[4] // 2) for row in only_other]


def test_deleting_a_track_or_a_release_leaves_what_a_recount_gives(tracks, release, monkeypatch):
    fan = UserFactory()
    on(monkeypatch, MONDAY)
    playlist = playlists.create_playlist(owner=fan, title="Mix")
    playlists.add_tracks(playlist=playlist, tracks=tracks, by=fan)
    for track in tracks:
        playlists.set_track_saved(user=fan, track=track, on=True)
    playlists.set_release_saved(user=fan, release=release, on=True)
    tracks[0].delete()
    assert value(Scope.ARTIST, release.artist_id, Metric.SAVES) == 3
    assert value(Scope.TRACK, tracks[0].pk, Metric.SAVES) == 0
    release.delete()  # its tracks stay, without a release
    assert value(Scope.RELEASE, release.pk, Metric.SAVES) == 0
    kept = counts()
    engagement.rebuild()
    assert counts() == kept


def test_a_track_moved_to_another_release_takes_its_saves_and_adds_along(
    tracks, release, monkeypatch
):
    fan = UserFactory()
    on(monkeypatch, MONDAY)
    playlists.set_track_saved(user=fan, track=tracks[0], on=True)
    playlist = playlists.create_playlist(owner=fan, title="Mix")
    playlists.add_track(playlist=playlist, track=tracks[0], by=fan)
    other = ReleaseFactory(artist=release.artist)
    update_track(track=tracks[0], release=other)
    assert value(Scope.RELEASE, release.pk, Metric.SAVES) == 0
    assert value(Scope.RELEASE, other.pk, Metric.SAVES) == 1
    assert value(Scope.RELEASE, other.pk, Metric.PLAYLIST_ADDS) == 1
    kept = counts()
    engagement.rebuild()
    assert counts() == kept


def test_a_recount_gives_exactly_the_kept_numbers_after_random_changes(monkeypatch):
    rng = random.Random(4)
    releases = [ReleaseFactory() for _ in range(2)]
    tracks = [TrackFactory(artist=r.artist, release=r) for r in releases for _ in range(3)]
    tracks.append(TrackFactory(artist=releases[0].artist))  # a single, no release
    users = [UserFactory() for _ in range(4)]
    lists = [playlists.create_playlist(owner=u, title="L") for u in users]
    for step in range(120):
        on(monkeypatch, datetime(2026, 11, 1 + step % 9, 23, 59, tzinfo=UTC))
        user, track, release = rng.choice(users), rng.choice(tracks), rng.choice(releases)
        turn_on = rng.random() < 0.7
        match rng.randrange(4):
            case 0:
                set_following(user=user, artist=release.artist, on=turn_on)
            case 1:
                playlists.set_track_saved(user=user, track=track, on=turn_on)
            case 2:
                playlists.set_release_saved(user=user, release=release, on=turn_on)
            case 3:
                playlist = lists[users.index(user)]
                if turn_on:
                    playlists.add_tracks(playlist=playlist, tracks=rng.sample(tracks, 3), by=user)
                elif item := playlist.items.first():
                    playlists.remove_item(playlist=playlist, item_id=item.id)
    playlists.delete_playlist(playlist=lists[0])
    users[1].delete()
    kept = counts()
    assert {row[3] for row in kept} == {"follows", "saves", "playlist_adds"}
    engagement.rebuild()
    assert counts() == kept
    engagement.rebuild()  # and again
    assert counts() == kept
    engagement.rebuild(since=date(2026, 11, 5))  # only the days from the 5th on
    assert counts() == kept
