"""Fairness: four hundred picks of discovery radio over established and new artists.

Ten established artists (three tracks each, released over a year ago, 2,000 plays each on the
rest of the site in the last 28 days, from analytics' rollups) and ten new ones (two tracks
each, released this week, 5 plays each). Every track has a hidden appeal, the listener model:

    appeal   like   dislike   skip   (otherwise heard to the end, no feedback)
    good     0.45   0.02      0.10
    fair     0.15   0.10      0.30
    poor     0.03   0.40      0.40

Established: 1 good, 1 fair, 1 poor track each; new: half the artists good and poor, half fair
and poor. Twenty listeners take turns on their discovery stations (fixed seeds), each reacting
to what they hear, and their players report what they heard (a whole track, or 20 s before a
dislike or a skip) into analytics' radio rollups, which the fairness bonus reads as hours
heard; Celery beat's work is done in step: exposure refreshed every 40 picks (an hour), pools
every 40 picks.

The first run of this simulation found the design unfair the other way: the prior (newness
+ little heard, up to 0.6) never faded, so a new track most listeners disliked (10.2 plays
each) outplayed an established track most liked (7.0). The prior now fades with evidence,
prior × 5 / (5 + radio plays of the track) (picking.Weights.prior_evidence).
"""

import random
from collections import Counter
from datetime import timedelta

import pytest
from django.db.models import F
from django.utils import timezone

from analytics.models import Grain, PlayRollup, Scope, Source
from radio import exposure, picking, services
from radio.models import RadioPlay, RadioSession, StationKind
from tests.factories import ArtistFactory, TrackFactory
from tracks.models import Track

pytestmark = pytest.mark.django_db

APPEAL = {  # like, dislike, skip
    "good": (0.45, 0.02, 0.10),
    "fair": (0.15, 0.10, 0.30),
    "poor": (0.03, 0.40, 0.40),
}
LISTENERS = 20
PICKS = 400
ESTABLISHED_PLAYS = 2_000
NEW_PLAYS = 5
FIRST_TRACK_ID = 900_001


def make_catalogue() -> dict[int, tuple[str, str]]:
    """track id → (established or new, appeal)."""
    now = timezone.now()
    made = {}
    for n in range(20):
        new = n >= 10
        artist = ArtistFactory(slug=f"{'new' if new else 'old'}-{n}")
        if new:
            appeals = ["good", "poor"] if n % 2 else ["fair", "poor"]
        else:
            appeals = ["good", "fair", "poor"]
        for appeal in appeals:
            # Fixed ids: the pick's jitter hashes them, so the seeds alone fix every draw.
            track = TrackFactory(
                pk=FIRST_TRACK_ID + len(made),
                artist=artist,
                genre="indie",
                duration=200.0,
                renditions=False,
            )
            created = now - (timedelta(days=3) if new else timedelta(days=400))
            Track.objects.filter(pk=track.pk).update(created_at=created)
            made[track.pk] = ("new" if new else "established", appeal)
        PlayRollup.objects.create(  # plays on the rest of the site, yesterday
            scope=Scope.ARTIST,
            scope_id=artist.pk,
            grain=Grain.DAY,
            bucket=(now - timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0),
            source=Source.PLAYLIST,
            plays=NEW_PLAYS if new else ESTABLISHED_PLAYS,
        )
    return made


def simulate(catalogue, *, seed: int = 5) -> Counter:
    """Radio plays per track after PICKS picks."""
    picks_rng, reactions = random.Random(seed), random.Random(seed + 1)
    exposure.refresh_exposure()
    sessions = [
        RadioSession.objects.create(listener_key=f"a:sim-{n}", kind=StationKind.DISCOVERY)
        for n in range(LISTENERS)
    ]
    for pick in range(PICKS):
        if pick and pick % 40 == 0:
            exposure.refresh_exposure()
            picking.refresh_pool("discovery")
        play = services.next_track(session=sessions[pick % LISTENERS], rng=picks_rng)
        like, dislike, skip = APPEAL[catalogue[play.track_id][1]]
        draw = reactions.random()
        heard = 20.0
        if draw < like:
            services.record_feedback(play=play, kind="like")
            heard = play.track.duration
        elif draw < like + dislike:
            services.record_feedback(play=play, kind="dislike")
        elif draw < like + dislike + skip:
            services.record_feedback(play=play, kind="skip", at_seconds=20)
        else:
            heard = play.track.duration
        heard_on_the_radio(play.track.artist_id, heard)
    return Counter(RadioPlay.objects.values_list("track_id", flat=True))


def heard_on_the_radio(artist_id: int, seconds: float) -> None:
    """What the drain does with a radio play's beacons, for the artist's rollup of the day."""
    row, _ = PlayRollup.objects.get_or_create(
        scope=Scope.ARTIST,
        scope_id=artist_id,
        grain=Grain.DAY,
        bucket=timezone.now().replace(hour=0, minute=0, second=0, microsecond=0),
        source=Source.RADIO,
    )
    PlayRollup.objects.filter(pk=row.pk).update(heard_seconds=F("heard_seconds") + seconds)


def test_new_artists_get_more_radio_plays_than_plays_and_liked_tracks_still_win():
    catalogue = make_catalogue()
    plays = simulate(catalogue)

    def share(group):
        return sum(n for t, n in plays.items() if catalogue[t][0] == group) / PICKS

    def per_track(**wanted):
        chosen = [
            t
            for t, (g, a) in catalogue.items()
            if wanted.get("group", g) == g and wanted["appeal"] == a
        ]
        return sum(plays[t] for t in chosen) / len(chosen)

    # Measured over 12 runs (seeds 1–5, and seed 5 with other track ids: the jitter hashes
    # them, and the database's sequences move on from run to run); since the bonus reads hours
    # heard (not the length of every track handed out), over seeds 1–5 once more.
    # New artists have 0.25 % of the organic plays (50 of 20,050, by construction) and 40 %
    # or more of the radio plays (48–54 % measured; 51–56 % with hours heard).
    assert share("new") >= 0.40
    # Liked tracks win: a good track is played at least twice as often as a poor one (3.1–4.1×
    # measured; 2.9–3.4× with hours heard), among new artists too (2.6–3.3×; 2.7–3.1×), and an
    # established good track at least 1.5× as often as a new poor one (12–14.5 plays against
    # 5.7–7: 1.7–2.5×; with hours heard 11.1–12.7 against 6.2–7.1: 1.56–2.05×, closer, as a
    # track skipped early is little heard and keeps more of its artist's fairness bonus):
    # newness opens the door, listeners decide. Fair against poor tracks is closer (4.9–7.5
    # plays against 3.9–4.7; 5.8–6.9 against 4.3–4.8) and not asserted.
    assert per_track(appeal="good") >= 2 * per_track(appeal="poor")
    assert per_track(group="new", appeal="good") >= 2 * per_track(group="new", appeal="poor")
    assert per_track(group="established", appeal="good") >= 1.5 * per_track(
        group="new", appeal="poor"
    )
