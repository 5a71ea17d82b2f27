"""Order keys: any sequence of appends, prepends and inserts keeps a strict, text-sortable order."""

import random

import pytest

from playlists.ranking import DIGITS, key_between


def as_number(key: str) -> float:
    return sum(DIGITS.index(digit) * 36.0 ** -(i + 1) for i, digit in enumerate(key))


@pytest.mark.parametrize("seed", range(40))
def test_random_edits_keep_text_order_equal_to_numeric_order(seed):
    rng = random.Random(seed)
    keys: list[str] = []
    for _ in range(250):
        roll = rng.random()
        if roll < 0.3 or len(keys) < 2:
            keys.append(key_between(keys[-1] if keys else None, None))
        elif roll < 0.4:
            keys.insert(0, key_between(None, keys[0]))
        else:
            i = rng.randrange(len(keys) - 1)
            keys.insert(i + 1, key_between(keys[i], keys[i + 1]))
        assert keys == sorted(keys)
        assert len(set(keys)) == len(keys)
        assert [as_number(k) for k in keys] == sorted(as_number(k) for k in keys)
        assert not any(k.endswith("0") for k in keys)


def test_ten_thousand_appends_keep_keys_short():
    key = None
    for _ in range(10_000):
        key = key_between(key, None)
    assert len(key) <= 6


def test_repeated_inserts_into_one_gap_grow_slowly():
    low, high = key_between(None, None), None
    high = key_between(low, None)
    for _ in range(100):
        high = key_between(low, high)
    assert low < high
    assert len(high) <= 30


def test_it_refuses_reversed_neighbours():
    with pytest.raises(ValueError):
        key_between("k", "b")
