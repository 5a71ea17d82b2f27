"""`manage.py rebuild_rollups` gives back exactly the numbers the drain and signals kept."""

import io
import random
from datetime import UTC, date, datetime

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from analytics import listeners, services
from analytics.models import DailyCount, ListenerDay, ListenerSketch, PlayRollup, ReferrerRollup
from artists.services import set_following
from playlists import services as playlists
from tests.analytics.plays import listen
from tests.factories import ReleaseFactory, TrackFactory, UserFactory

pytestmark = pytest.mark.django_db
START = int(datetime(2026, 11, 1, tzinfo=UTC).timestamp())
PLAY_FIELDS = (
    "scope", "scope_id", "grain", "bucket", "source", "streams", "plays", "complete", "partial",
    "skip", "early_skips", "heard_seconds",
)  # fmt: skip
REFERRER_FIELDS = ("scope", "scope_id", "day", "kind", "ref", "streams", "plays")


def everything():
    """Every number a dashboard reads, as plain tuples."""

    def rows(queryset, *fields):
        return sorted(
            tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)
            for row in queryset.values_list(*fields)
        )

    kept = (
        rows(ListenerSketch.objects, "scope", "scope_id", "day", "registers")
        if listeners.sketched()
        else rows(ListenerDay.objects, "scope", "scope_id", "day", "listener_key")
    )
    return {
        "plays": rows(PlayRollup.objects.exclude(streams=0), *PLAY_FIELDS),
        "referrers": rows(ReferrerRollup.objects.exclude(streams=0), *REFERRER_FIELDS),
        "daily": rows(
            DailyCount.objects.exclude(value=0), "scope", "scope_id", "day", "metric", "value"
        ),
        "listeners": kept,
    }


@pytest.fixture
def activity(monkeypatch):
    """A few random drains of plays over ten days, and follows, saves and playlist adds."""
    rng = random.Random(11)
    releases = [ReleaseFactory() for _ in range(2)]
    tracks = [
        TrackFactory(artist=r.artist, release=r, duration=180.0) for r in releases for _ in range(3)
    ]
    tracks.append(TrackFactory(artist=releases[1].artist, duration=90.0))  # a single
    for _ in range(4):
        for _ in range(40):
            source = rng.choice(["track", "embed", "playlist", "radio", "artist"])
            listen(
                rng.choice(tracks),
                seconds=rng.choice([3, 20, 31, 60, 179]),
                issued=START + rng.randrange(10 * 86400),
                listener=f"a:{rng.randrange(30)}",
                ip=f"ip{rng.randrange(5)}",
                source=source,
                origin="https://blog.example" if source == "embed" else "",
                context=f"PL{rng.randrange(3)}" if source == "playlist" else "",
                ua=rng.choice(["Mozilla/5.0 Firefox/140.0"] * 9 + ["Googlebot/2.1"]),
            )
        services.drain_beacons()
    users = [UserFactory() for _ in range(3)]
    for n, user in enumerate(users):
        monkeypatch.setattr(
            "django.utils.timezone.now", lambda n=n: datetime(2026, 11, 2 + n, tzinfo=UTC)
        )
        set_following(user=user, artist=releases[n % 2].artist, on=True)
        playlists.set_track_saved(user=user, track=tracks[n], on=True)
        playlists.set_release_saved(user=user, release=releases[0], on=True)
        playlist = playlists.create_playlist(owner=user, title="Mine")
        playlists.add_tracks(playlist=playlist, tracks=tracks[:4], by=user)
    monkeypatch.undo()
    return everything()


def rebuild(*args) -> str:
    out = io.StringIO()
    call_command("rebuild_rollups", *args, stdout=out)
    return out.getvalue()


def test_the_command_gives_back_the_kept_numbers_and_says_what_it_did(activity):
    assert all(activity.values())
    output = rebuild()
    assert everything() == activity
    for step in ("plays", "referrers", "listeners", "follows, saves, playlist adds", "done"):
        assert step in output
    rebuild()  # twice: the same again
    assert everything() == activity


def test_since_rebuilds_only_the_days_from_then_on(activity):
    DailyCount.objects.filter(day__lt=date(2026, 11, 5)).update(value=999)
    PlayRollup.objects.update(streams=999)
    assert "from 2026-11-05" in rebuild("--since", "2026-11-05")
    assert DailyCount.objects.filter(value=999).exists()  # earlier days left alone
    # Play rollups start again from the 1st: their month rows hold whole months.
    assert not PlayRollup.objects.filter(streams=999).exists()
    DailyCount.objects.filter(value=999).delete()
    rebuild("--since", "2026-11-01")
    assert everything() == activity


def test_a_bad_date_is_refused_with_a_message():
    with pytest.raises(CommandError, match="--since must be a date"):
        rebuild("--since", "last tuesday")


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_postgresql_runs_steps_side_by_side_to_the_same_numbers(activity):
    if connection.vendor != "postgresql":
        pytest.skip("steps run one after the other on SQLite")
    assert not connection.in_atomic_block
    rebuild()
    assert everything() == activity
