"""Rollups kept by the drain agree with a rebuild from raw events."""

from datetime import UTC, datetime

import pytest

from analytics import listeners, rollups, services
from analytics.models import DailyCount, Grain, Metric, PlayRollup, ReferrerRollup, Scope
from tests.analytics.plays import listen
from tests.factories import ReleaseFactory, TrackFactory

pytestmark = pytest.mark.django_db
NOON = int(datetime(2026, 11, 20, 12, 30, tzinfo=UTC).timestamp())


def table():
    return sorted(
        PlayRollup.objects.exclude(streams=0).values_list(
            "scope", "scope_id", "grain", "bucket", "source", "streams", "plays", "complete",
            "partial", "skip", "early_skips", "heard_seconds",
        )
    )  # fmt: skip


@pytest.fixture
def release():
    return ReleaseFactory()


@pytest.fixture
def tracks(release):
    return [TrackFactory(artist=release.artist, release=release, duration=200.0) for _ in range(2)]


def test_plays_land_in_hour_and_day_rows_for_track_release_and_artist(tracks, release):
    first, second = tracks
    listen(first, seconds=31, issued=NOON, listener="a:1")
    listen(first, seconds=190, issued=NOON, listener="a:2", source="embed")
    listen(second, seconds=5, issued=NOON, listener="a:1")
    services.drain_beacons()

    def row(scope, scope_id, grain, source="track"):
        return PlayRollup.objects.get(scope=scope, scope_id=scope_id, grain=grain, source=source)

    hour = row(Scope.TRACK, first.pk, Grain.HOUR)
    assert hour.bucket == datetime(2026, 11, 20, 12, tzinfo=UTC)
    assert (hour.streams, hour.plays, hour.partial) == (1, 1, 1)
    assert row(Scope.TRACK, first.pk, Grain.DAY, "embed").complete == 1
    artist_day = row(Scope.ARTIST, release.artist_id, Grain.DAY)
    assert artist_day.bucket == datetime(2026, 11, 20, tzinfo=UTC)
    assert (artist_day.streams, artist_day.plays, artist_day.skip) == (2, 1, 1)
    assert row(Scope.RELEASE, release.pk, Grain.DAY, "embed").plays == 1
    day = datetime(2026, 11, 20).date()
    assert listeners.unique(scope=Scope.ARTIST, scope_id=release.artist_id, start=day, end=day) == 2
    assert (
        DailyCount.objects.get(scope=Scope.TRACK, scope_id=first.pk, metric=Metric.LISTENERS).value
        == 2
    )


def test_a_play_finished_in_a_later_drain_moves_from_partial_to_complete(tracks):
    track = tracks[0]
    nonce = listen(track, seconds=31, issued=NOON)
    services.drain_beacons()
    listen(track, seconds=195, issued=NOON, nonce=nonce, resume_from=31)  # heard to the end
    services.drain_beacons()
    hour = PlayRollup.objects.get(scope=Scope.TRACK, scope_id=track.pk, grain=Grain.HOUR)
    assert (hour.streams, hour.plays, hour.partial, hour.complete) == (1, 1, 0, 1)


def referrers():
    return sorted(ReferrerRollup.objects.values_list(
        "scope", "scope_id", "day", "kind", "ref", "streams", "plays"
    ))  # fmt: skip


def test_plays_from_playlists_and_websites_are_kept_per_referrer(tracks, release):
    track = tracks[0]
    for seconds in (31, 40, 5):
        listen(track, seconds=seconds, source="embed", origin="https://blog.example")
    listen(track, seconds=31, source="playlist", context="PL123")
    services.drain_beacons()
    site = ReferrerRollup.objects.get(scope=Scope.ARTIST, scope_id=release.artist_id, kind="site")
    assert (site.ref, site.streams, site.plays) == ("https://blog.example", 3, 2)
    playlist = ReferrerRollup.objects.get(scope=Scope.TRACK, scope_id=track.pk, kind="playlist")
    assert (playlist.ref, playlist.plays) == ("PL123", 1)


def test_rebuilding_gives_the_numbers_the_drain_kept(tracks):
    for n in range(6):
        listen(tracks[n % 2], seconds=[3, 29, 31, 100, 199, 31][n], issued=NOON + n * 2000,
               listener=f"a:{n % 3}", source=["track", "embed", "radio"][n % 3])  # fmt: skip
    listen(tracks[0], seconds=40, issued=NOON, ua="Googlebot/2.1")  # flagged: not in rollups
    listen(tracks[1], seconds=50, source="embed", origin="https://a.example", issued=NOON)
    listen(tracks[1], seconds=50, source="own-playlist", context="PL9", issued=NOON)
    services.drain_beacons()
    kept, kept_referrers = table(), referrers()
    assert kept and len(kept_referrers) == 6
    rollups.rebuild()
    assert (table(), referrers()) == (kept, kept_referrers)
    rollups.rebuild()  # and again
    assert (table(), referrers()) == (kept, kept_referrers)
