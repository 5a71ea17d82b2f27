"""The artist dashboard: numbers built by draining real beacons, read back from rollups."""

import io
from datetime import UTC, datetime, time, timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from analytics import listeners, services, stats
from analytics import segments as audience
from analytics.listeners import add_daily
from analytics.models import Metric, Scope
from playlists.models import Playlist
from tests.analytics.plays import listen
from tests.factories import ReleaseFactory, TrackFactory
from tracks.models import Visibility

pytestmark = pytest.mark.django_db

TODAY = stats.today()


def at(days_ago: int, hour: int = 12) -> int:
    """A play token's issued-at: `days_ago` UTC days before today, at `hour`."""
    moment = datetime.combine(TODAY - timedelta(days=days_ago), datetime.min.time(), tzinfo=UTC)
    return int((moment + timedelta(hours=hour)).timestamp())


@pytest.fixture
def release(artist):
    return ReleaseFactory(artist=artist, title="Low Tide")


@pytest.fixture
def songs(artist, release):
    return [
        TrackFactory(artist=artist, release=release, title=title, duration=200.0)
        for title in ("Rope", "Gull")
    ]


@pytest.fixture
def played(songs, artist):
    """Rope: 3 plays this week by 2 listeners (one from an embed), one skip; Gull: 1 play
    12 days ago from a playlist; 2 plays 40 days ago (the previous 28 days)."""
    rope, gull = songs
    listen(rope, seconds=31, issued=at(0), listener="a:1")
    listen(rope, seconds=195, issued=at(1), listener="a:1")
    listen(rope, seconds=40, issued=at(2), listener="a:2", source="embed",
           origin="https://blog.example")  # fmt: skip
    listen(rope, seconds=5, issued=at(2), listener="a:3")
    listen(gull, seconds=60, issued=at(12), listener="a:2", source="playlist", context="PLPUB")
    listen(rope, seconds=31, issued=at(40), listener="a:4")
    listen(gull, seconds=31, issued=at(41), listener="a:4")
    services.drain_beacons()
    return rope, gull


def board(subject, key="28d"):
    return stats.dashboard(subject=subject, period=stats.preset_period(key=key, subject=subject))


def artist_subject(artist):
    return stats.access_subject(user=artist.user, kind="artist")


def test_totals_compare_with_the_previous_period(artist, played):
    totals = {t.key: t for t in board(artist_subject(artist)).totals}
    plays, listeners = totals["plays"], totals["listeners"]
    assert (plays.value, plays.previous, plays.change, plays.percent) == (4, 2, 2, 100)
    assert (listeners.value, listeners.previous) == (2, 1)
    assert totals[Metric.FOLLOWS].value == 0 and not totals[Metric.FOLLOWS].is_new


def test_a_metric_from_nothing_is_new(artist, played):
    add_daily(Metric.SAVES, {(Scope.ARTIST, artist.pk, TODAY): 3})
    saves = {t.key: t for t in board(artist_subject(artist)).totals}[Metric.SAVES]
    assert (saves.value, saves.previous, saves.percent, saves.is_new) == (3, 0, None, True)


def test_seven_days_and_all_time(artist, played):
    week = {t.key: t for t in board(artist_subject(artist), "7d").totals}
    assert (week["plays"].value, week["plays"].previous) == (3, 1)
    ever = board(artist_subject(artist), "all")
    plays = {t.key: t for t in ever.totals}["plays"]
    assert (plays.value, plays.previous, plays.change) == (6, None, None)
    assert ever.period.start == TODAY - timedelta(days=41)


def test_daily_series_has_every_day(artist, played):
    series = board(artist_subject(artist)).series
    assert len(series) == 28 and series[-1].day == TODAY
    by_day = {p.day: (p.plays, p.listeners) for p in series}
    assert by_day[TODAY] == (1, 1)
    assert by_day[TODAY - timedelta(days=2)] == (1, 1)  # the 5 s skip is no play
    assert by_day[TODAY - timedelta(days=3)] == (0, 0)
    assert sum(p.plays for p in series) == 4


def test_tracks_sources_and_completion(artist, played):
    result = board(artist_subject(artist))
    top = [(r.track.title, r.plays, r.streams) for r in result.tracks]
    assert top == [("Rope", 3, 4), ("Gull", 1, 1)]
    rope_row = result.tracks[0]
    # streams: 31 s (partial), 195 s (complete), 40 s (partial), 5 s (skip, early)
    assert (rope_row.complete_rate, rope_row.partial_rate, rope_row.skip_rate) == (25, 50, 25)
    assert rope_row.early_skip_rate == 0  # paused at 5 s: no skip beacon, so not "skipped"
    assert [(s.source, s.plays, s.percent) for s in result.sources] == [
        ("track", 2, 50), ("embed", 1, 25), ("playlist", 1, 25)
    ]  # fmt: skip


def test_playlists_are_named_only_when_public(artist, played, fan):
    gull = played[1]
    public = Playlist.objects.create(owner=fan, title="Sea shanties")
    hidden = Playlist.objects.create(owner=fan, title="Secret mix", visibility=Visibility.PRIVATE)
    listen(gull, seconds=31, issued=at(3), source="playlist", context=public.public_id)
    listen(gull, seconds=31, issued=at(3), source="playlist", context=hidden.public_id)
    listen(gull, seconds=31, issued=at(3), source="playlist", context=hidden.public_id,
           listener="a:9")  # fmt: skip
    services.drain_beacons()
    rows = [(r.label, r.url, r.plays) for r in board(artist_subject(artist)).playlists]
    assert rows[0] == ("A private playlist", "", 2)
    assert sorted(rows[1:]) == [
        ("A private playlist", "", 1),  # PLPUB: no such playlist (deleted since)
        ("Sea shanties", public.get_absolute_url(), 1),
    ]
    assert [(r.label, r.plays) for r in board(artist_subject(artist)).sites] == [
        ("https://blog.example", 1)
    ]


def test_audience_segments_by_listening_days(artist, songs):
    rope = songs[0]
    for day in range(1, 11):
        listen(rope, seconds=31, issued=at(day), listener="a:super")
    for day in range(1, 4):
        listen(rope, seconds=31, issued=at(day), listener="a:moderate")
    listen(rope, seconds=31, issued=at(1), listener="a:light")
    listen(rope, seconds=31, issued=at(29), listener="a:too-long-ago")
    listen(rope, seconds=31, issued=at(0), listener="a:today")  # in tomorrow's window
    services.drain_beacons()
    segments = stats.segments(subject=artist_subject(artist))
    assert [(s.name, s.listeners, s.percent) for s in segments] == [
        ("Super listeners", 1, 33), ("Moderate listeners", 1, 33), ("Light listeners", 1, 33)
    ]  # fmt: skip


def test_segments_are_computed_once_a_day_and_kept(artist, songs, django_assert_num_queries):
    listen(songs[0], seconds=31, issued=at(2), listener="a:one")
    services.drain_beacons()
    assert audience.compute_all(on=TODAY) == 3  # the track, its release and the artist
    assert audience.compute_all(on=TODAY) == 0  # kept: nothing to do again
    listen(songs[0], seconds=31, issued=at(2), listener="a:two")  # a late beacon
    services.drain_beacons()
    subject = artist_subject(artist)
    with django_assert_num_queries(1):  # the kept snapshot, no raw events
        segments = stats.segments(subject=subject)
    assert [s.listeners for s in segments] == [0, 0, 1]
    tomorrow = stats.segments(subject=subject, on=TODAY + timedelta(days=1))
    assert [s.listeners for s in tomorrow] == [0, 0, 2]


def test_release_and_track_scopes(artist, release, played):
    rope, _ = played
    other = TrackFactory(artist=artist, title="Lantern", duration=100.0)  # a single
    listen(other, seconds=31, issued=at(0))
    services.drain_beacons()
    on_release = board(stats.access_subject(user=artist.user, kind="release",
                                            public_id=release.public_id))  # fmt: skip
    assert {t.key: t.value for t in on_release.totals}["plays"] == 4
    assert [r.track.title for r in on_release.tracks] == ["Rope", "Gull"]
    on_track = board(stats.access_subject(user=artist.user, kind="track", public_id=rope.public_id))
    assert {t.key: t.value for t in on_track.totals}["plays"] == 3
    assert [r.track.title for r in on_track.tracks] == ["Rope"]


def test_listener_totals_are_cached_but_never_stale(artist, songs, monkeypatch):
    rope = songs[0]
    subject = artist_subject(artist)
    computed = []
    unique = listeners.unique
    monkeypatch.setattr(listeners, "unique", lambda **kw: computed.append(kw) or unique(**kw))

    def listeners_now():
        computed.clear()
        total = {t.key: t for t in board(subject).totals}["listeners"].value
        return total, len(computed)

    listen(rope, seconds=31, issued=at(0), listener="a:1")
    services.drain_beacons()
    assert listeners_now() == (1, 1)
    assert listeners_now() == (1, 0)  # cached
    listen(rope, seconds=31, issued=at(1), listener="a:1")  # a new day, the same listener
    services.drain_beacons()
    assert listeners_now() == (1, 1)
    listen(rope, seconds=31, issued=at(1), listener="a:2")
    services.drain_beacons()
    assert listeners_now() == (2, 1)


def test_segments_computed_before_late_beacons_are_computed_again(artist, songs):
    from analytics.models import SegmentSnapshot

    subject = artist_subject(artist)
    assert [s.listeners for s in stats.segments(subject=subject)] == [0, 0, 0]
    for day in range(1, 12):  # late beacons for the last eleven days
        listen(songs[0], seconds=31, issued=at(day), listener="a:back")
    services.drain_beacons()
    # Computed over an hour ago while the window's last tokens were still valid (they expire
    # PLAY_TOKEN_TTL after midnight): computed again. Not simply "two hours ago": from 08:00
    # UTC on, that is after the expiry, when a snapshot is final.
    expiry = datetime.combine(TODAY, time(), tzinfo=UTC) + timedelta(
        seconds=settings.PLAY_TOKEN_TTL
    )
    SegmentSnapshot.objects.update(computed_at=min(timezone.now(), expiry) - timedelta(hours=2))
    assert [s.listeners for s in stats.segments(subject=subject)] == [1, 0, 0]


def test_segments_computed_after_the_windows_last_tokens_expired_are_final(artist, songs):
    from analytics.models import SegmentSnapshot

    on = TODAY - timedelta(days=1)  # its window's tokens expired this morning at the latest
    kept = audience.snapshot(scope=Scope.ARTIST, scope_id=artist.pk, on=on)
    listen(songs[0], seconds=31, issued=at(3), listener="a:late")
    services.drain_beacons()
    expiry = datetime.combine(on, time(), tzinfo=UTC) + timedelta(seconds=settings.PLAY_TOKEN_TTL)
    SegmentSnapshot.objects.filter(pk=kept.pk).update(computed_at=expiry)
    again = audience.snapshot(scope=Scope.ARTIST, scope_id=artist.pk, on=on)
    assert (again.light_listeners, again.computed_at) == (0, expiry)
    start, end = audience.window(on)  # the play is there; the final snapshot ignores it
    assert audience.count(scope=Scope.ARTIST, scope_id=artist.pk, start=start, end=end) == {
        "super_listeners": 0, "moderate_listeners": 0, "light_listeners": 1
    }  # fmt: skip


def test_rebuild_rollups_drops_kept_segments(artist, songs):
    from django.core.management import call_command

    from analytics.models import SegmentSnapshot

    stats.segments(subject=artist_subject(artist))
    call_command("rebuild_rollups", stdout=io.StringIO())
    assert not SegmentSnapshot.objects.exists()


def test_long_periods_add_month_rows_and_edge_days_to_the_same_numbers(artist, songs):
    rope, gull = songs[:2]
    ages = [0, 1, 20, 35, 40, 64, 100, 180, 250, 364, 400]  # days ago: edges and whole months
    for n, days_ago in enumerate(ages):
        listen([rope, gull][n % 2], seconds=31, issued=at(days_ago), listener=f"a:{n}",
               source=["track", "embed"][n % 2], origin="https://b.example")  # fmt: skip
    services.drain_beacons()
    year = board(artist_subject(artist), "12m")
    assert {t.key: t.value for t in year.totals}["plays"] == 10  # not the one 400 days ago
    assert sorted((r.track.title, r.plays) for r in year.tracks) == [("Gull", 5), ("Rope", 5)]
    assert {s.source: s.plays for s in year.sources} == {"track": 5, "embed": 5}
    assert sum(point.plays for point in year.series) == 10  # the daily chart agrees
