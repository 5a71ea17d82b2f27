"""The counting rules, on beacons as the player sends them (positions in s, clock in ms)."""

from analytics.counting import Beacon, listening


def play(*steps, duration=200.0):
    """Beacons numbered in order: each step is (event, position, clock seconds)."""
    beacons = [Beacon(seq, event, pos, at * 1000) for seq, (event, pos, at) in enumerate(steps)]
    return listening(beacons, duration)


def test_29_seconds_heard_is_not_a_play_but_30_is():
    short = play(("start", 0, 0), ("progress", 10, 10), ("progress", 20, 20), ("pause", 29, 29))
    full = play(("start", 0, 0), ("progress", 10, 10), ("progress", 20, 20), ("pause", 30, 30))
    assert (short.heard, short.qualifies) == (29, False)
    assert (full.heard, full.qualifies) == (30, True)


def test_seeking_forward_past_30_seconds_is_not_listening():
    state = play(("start", 0, 0), ("progress", 5, 5), ("seek", 60, 6), ("progress", 62, 8))
    assert state.heard == 7  # 5 s before the seek, 2 s after it
    assert state.max_position == 62
    assert not state.qualifies


def test_a_position_jump_faster_than_the_clock_adds_nothing():
    state = play(("start", 0, 0), ("progress", 50, 10), ("progress", 60, 20))
    assert state.heard == 10


def test_time_paused_is_not_heard_and_resuming_goes_on_counting():
    state = play(
        ("start", 0, 0),
        ("pause", 20, 20),
        ("start", 20, 500),  # five minutes later, at the same position
        ("progress", 30, 510),
    )
    assert (state.heard, state.qualifies) == (30, True)


def test_a_short_track_counts_when_heard_to_the_end():
    state = play(("start", 0, 0), ("progress", 10, 10), ("end", 12, 12), duration=12.0)
    assert (state.heard, state.qualifies, state.completion) == (12, True, "complete")
    half = play(("start", 0, 0), ("pause", 6, 6), duration=12.0)
    assert (half.heard, half.qualifies, half.completion) == (6, False, "partial")


def test_duplicated_beacons_are_counted_once():
    beacons = [
        Beacon(0, "start", 0, 0),
        Beacon(1, "progress", 10, 10_000),
        Beacon(1, "progress", 10, 10_000),
        Beacon(2, "progress", 20, 20_000),
        Beacon(2, "progress", 20, 20_000),
    ]
    assert listening(beacons, 200).heard == 20


def test_beacons_arriving_out_of_order_are_merged_by_seq():
    beacons = [
        Beacon(2, "progress", 20, 20_000),
        Beacon(0, "start", 0, 0),
        Beacon(3, "progress", 31, 31_000),
        Beacon(1, "progress", 10, 10_000),
    ]
    state = listening(beacons, 200)
    assert (state.heard, state.qualifies) == (31, True)


def test_completion_follows_bandcamps_rule_and_early_skips_are_noted():
    skipped = play(("start", 0, 0), ("skip", 8, 8), duration=100.0)
    assert (skipped.completion, skipped.skipped_early) == ("skip", True)
    partial = play(("start", 0, 0), ("progress", 50, 50), ("skip", 89, 89), duration=100.0)
    assert (partial.completion, partial.skipped_early) == ("partial", False)
    complete = play(("start", 0, 0), ("progress", 50, 50), ("end", 90, 90), duration=100.0)
    assert complete.completion == "complete"
