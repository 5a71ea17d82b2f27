"""Feedback shifts a listener's next picks: direction and size, over many seeded draws.

The catalogue is flat on purpose (8 artists × 3 tracks, all released today, none heard
anywhere): every score is equal but for the listener's affinities, the two tracks that got
feedback, and the jitter (0.4 × a pseudo-random number in [0, 1) per track and draw). Each
listener draws DRAWS picks of the discovery pool with the same sequence of seeds (common random
numbers: the listeners differ by their feedback only). Picks are not recorded, so nothing else
moves between draws.

Affinity moves (radio/services.py) × weights (radio/picking.py), in score points:

    dislike, "not my genre"   artist −1 × 0.25 = −0.25    genre −1.5 × 0.15 = −0.225
    dislike, other reason     artist −1 × 0.25 = −0.25    genre −0.25 × 0.15 = −0.0375
    like                      artist +1 × 0.25 = +0.25    genre +0.5 × 0.15 = +0.075

Every listener also sees the two tracks with feedback move: the disliked one by −0.37 (its mean
1/2 → 1/3, its UCB term and faded prior after one play), the liked one by −0.04 (mean 2/3, the
same losses). With 24 tracks the best of the others' jitters is close to 0.4, so a shift of a
few hundredths already matters and a shift beyond 0.4 can never be overcome. Shares expected
with independent uniform jitter (100,000 simulated draws), and measured here (200 draws):

    listener                 artist X share    artist Y share    shoegaze share
                             expected  here    expected  here    expected  here
    control                  9.2 %     7–12 %  9.6 %     6–13 %  49.8 %    46–51 %
    disliked X, genre        0 (exact) 0                         0.001 %   0
    disliked X, vocals       0 %       0                         13.7 %    15.5 %
    liked Y                                    96.6 %    93 %    0.06 %    0.5 %

The jitter hashes track ids, which differ from run to run (the database's sequences move on),
so "here" moves too: with 200 draws a share's standard deviation is up to 3.5 points. Bounds
sit 3–5 standard deviations from what is expected.
"""

import random

import pytest

from radio import picking, services
from tests.factories import ArtistFactory, TrackFactory

pytestmark = pytest.mark.django_db

DRAWS = 200


@pytest.fixture
def flat():
    """X (artist 0) is shoegaze, Y (artist 4) techno; half the catalogue each."""
    artists = [ArtistFactory() for _ in range(8)]
    tracks = [
        TrackFactory(artist=a, genre="Shoegaze" if n < 4 else "Techno", renditions=False)
        for n, a in enumerate(artists)
        for _ in range(3)
    ]
    picking.ensure_pool("discovery")
    return artists[0], artists[4], tracks


def react(listener_key, track, kind, reason=""):
    play = services.record_radio_play(track=track, listener_key=listener_key, user=None)
    services.record_feedback(play=play, kind=kind, reason=reason)


def shares(listener_key, *, x, y) -> dict[str, float]:
    seeds = random.Random(99)  # the same draws for every listener
    picks = [
        picking.pick_track("discovery", listener_key=listener_key, rng=seeds) for _ in range(DRAWS)
    ]
    return {
        "x": sum(t.artist_id == x.pk for t in picks) / DRAWS,
        "y": sum(t.artist_id == y.pk for t in picks) / DRAWS,
        "shoegaze": sum(t.genre == "Shoegaze" for t in picks) / DRAWS,
    }


def after_feedback(flat, *, dislike_reason: str, measured: str) -> tuple[dict, dict]:
    """`a:dislikes` dislikes one of X's tracks, `a:likes` likes one of Y's; then the shares of
    the control listener's picks and of `measured`'s."""
    x, y, tracks = flat
    react("a:dislikes", tracks[0], "dislike", reason=dislike_reason)
    react("a:likes", tracks[12], "like")
    return shares("a:control", x=x, y=y), shares(measured, x=x, y=y)


def test_a_genre_dislike_removes_the_artist_and_nearly_the_genre(flat):
    control, disliker = after_feedback(flat, dislike_reason="genre", measured="a:dislikes")

    assert 0.03 <= control["x"] <= 0.17  # 9.2 % expected (±3 standard deviations)
    assert 0.35 <= control["shoegaze"] <= 0.65  # 49.8 % expected (±4 s.d.)
    # X's other tracks are at −0.475 against techno tracks at 0: more than the jitter's range.
    assert disliker["x"] == 0
    # The rest of the genre at −0.225: one win in 100,000 expected; at most 1 % allowed.
    assert disliker["shoegaze"] <= 0.01
    assert control["shoegaze"] - disliker["shoegaze"] >= 0.35


def test_a_dislike_for_another_reason_moves_the_genre_much_less(flat):
    control, disliker = after_feedback(flat, dislike_reason="vocals", measured="a:dislikes")

    assert disliker["x"] <= 0.01  # from 9.2 %: X is at −0.29
    # Shoegaze at −0.0375 only: 49.8 % → 13.7 % expected (allowed 5–25 %), far from the
    # near-zero of a "not my genre" dislike.
    assert 0.05 <= disliker["shoegaze"] <= 0.25
    assert control["shoegaze"] - disliker["shoegaze"] >= 0.20


def test_a_like_raises_the_artist_and_its_genre(flat):
    control, liker = after_feedback(flat, dislike_reason="genre", measured="a:likes")

    assert 0.03 <= control["y"] <= 0.17  # 9.6 % expected (±3 s.d.)
    # Y's tracks at +0.325, the rest of techno at +0.075: Y wins 96.6 % expected.
    assert liker["y"] >= 0.90
    assert liker["y"] - control["y"] >= 0.75
    assert liker["shoegaze"] <= 0.02  # 49.8 % → 0.06 % expected
