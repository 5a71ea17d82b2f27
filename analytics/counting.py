"""The counting rules, as pure functions over the beacons one play token received.

A beacon is (seq, event, position seconds, client clock ms). Everything here is recomputed
from the whole, seq-ordered list each time, so late (out-of-order) beacons are merged exactly
and re-running on the same beacons always gives the same answer.
"""

import math
from dataclasses import dataclass
from itertools import pairwise

PLAY_THRESHOLD = 30.0  # seconds heard for a play to count (or the whole track if shorter)
TOLERANCE = 0.5  # seconds: client clocks and media positions drift a little
SERVER_SLACK = 2.0  # seconds: a token issued, then beacons queued and delivered
FAST_FACTOR = 1.25  # a position moving faster than this times the clock is a hidden seek
COMPLETE, PARTIAL, SKIP = "complete", "partial", "skip"
EVENTS = ("start", "progress", "pause", "seek", "end", "skip")
_STOPS = ("pause", "end", "skip")  # after these, time passes without playback


@dataclass(frozen=True)
class Beacon:
    seq: int
    event: str
    position: float
    at: float  # client clock, milliseconds
    received: float = 0.0  # server clock when the beacon arrived, epoch seconds (0: unknown)


@dataclass(frozen=True)
class Listening:
    heard: float
    max_position: float
    qualifies: bool
    completion: str
    skipped_early: bool


def ordered(beacons: list[Beacon]) -> list[Beacon]:
    """By seq, duplicates (same seq) dropped: the first one received wins."""
    seen: dict[int, Beacon] = {}
    for beacon in beacons:
        seen.setdefault(beacon.seq, beacon)
    return [seen[seq] for seq in sorted(seen)]


def heard_between(a: Beacon, b: Beacon) -> float:
    """Seconds really played from beacon a to the next beacon b (0 for seeks and pauses)."""
    if a.event in _STOPS or b.event == "seek":
        return 0.0
    moved = b.position - a.position
    elapsed = (b.at - a.at) / 1000
    if moved < 0 or elapsed < 0 or moved > elapsed * FAST_FACTOR + TOLERANCE:
        return 0.0
    return min(moved, elapsed)


def to_millisecond(seconds: float) -> float:
    """Rounded to the millisecond, half up, with float operations PostgreSQL repeats bit for bit
    (analytics/sqldrain.py): Python's round() works on the exact decimal value instead."""
    return math.floor(seconds * 1000 + 0.5) / 1000


def threshold(duration: float | None) -> float:
    return min(PLAY_THRESHOLD, duration) if duration else PLAY_THRESHOLD


def completion(heard: float, duration: float | None) -> str:
    """Bandcamp's rule: complete at 90 % of the track heard, skip under 10 %, else partial."""
    if not duration:
        return PARTIAL
    share = heard / duration
    return COMPLETE if share >= 0.9 else SKIP if share < 0.1 else PARTIAL


def listening(beacons: list[Beacon], duration: float | None, issued: float = 0) -> Listening:
    """What the beacons say was heard. The client's clock is checked against the server's:
    nobody hears more than the time that passed between the token being issued (`issued`,
    epoch seconds) and the latest beacon's arrival, so forged clocks gain nothing."""
    beacons = ordered(beacons)
    heard = 0.0
    for a, b in pairwise(beacons):  # plain left-to-right addition, as SQL's sum() in seq order
        heard += heard_between(a, b)
    arrived = max((b.received for b in beacons), default=0.0)
    if issued and arrived:
        heard = min(heard, max(0.0, arrived - issued) + SERVER_SLACK)
    heard = to_millisecond(heard)
    qualifies = heard + TOLERANCE >= threshold(duration)
    return Listening(
        heard=heard,
        max_position=max((b.position for b in beacons), default=0.0),
        qualifies=qualifies,
        completion=completion(heard, duration),
        skipped_early=any(b.event == "skip" for b in beacons) and not qualifies,
    )
