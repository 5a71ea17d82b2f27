"""allocate(): parts that always sum exactly to the whole, by the largest-remainder rule."""

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from payments.splitting import allocate


@pytest.mark.parametrize(
    ("total", "weights", "parts"),
    [
        (1, [3333, 3333, 3334], [0, 0, 1]),  # a 1-cent sale split three ways
        (100, [3333, 3333, 3334], [33, 33, 34]),
        (791, [3333, 3333, 3334], [264, 263, 264]),  # remainders .64 .64 .72: tie → first
        (1000, [1, 1, 1], [334, 333, 333]),  # equal remainders: earlier positions first
        (2, [1, 1, 1], [1, 1, 0]),
        (1, [8500, 1500], [1, 0]),
        (1000, [8500, 1500], [850, 150]),
        (10, [0, 5, 0, 5], [0, 5, 0, 5]),
        (7, [0, 0, 1], [0, 0, 7]),
        (0, [1, 2, 3], [0, 0, 0]),
        (5, [1], [5]),
        (-791, [3333, 3333, 3334], [-264, -263, -264]),  # a refund reverses the split exactly
    ],
)
def test_it_splits_exactly(total, weights, parts):
    assert allocate(total, weights) == parts


@pytest.mark.parametrize(
    ("total", "weights", "error", "message"),
    [
        (100, [], ValueError, "at least one weight"),
        (100, [0, 0], ValueError, "At least one weight must be above zero"),
        (100, [50, -50], ValueError, "zero or more"),
        (100, [0.5, 0.5], ValueError, "zero or more"),
        (100, [True, 1], ValueError, "zero or more"),
        (10.0, [1, 1], TypeError, "whole minor units"),
    ],
)
def test_it_refuses_weights_it_cannot_split_by(total, weights, error, message):
    with pytest.raises(error, match=message):
        allocate(total, weights)


totals = st.integers(min_value=-(10**12), max_value=10**12)
weight_lists = st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=40).filter(
    any
)


@given(total=totals, weights=weight_lists)
def test_the_parts_always_sum_to_the_total(total, weights):
    assert sum(allocate(total, weights)) == total


@given(total=totals, weights=weight_lists)
def test_each_part_is_within_one_unit_of_its_exact_share(total, weights):
    whole = sum(weights)
    for part, weight in zip(allocate(total, weights), weights, strict=True):
        assert abs(part - Fraction(total * weight, whole)) < 1
        if weight == 0:
            assert part == 0


@given(total=totals, weights=weight_lists)
def test_the_same_split_gives_the_same_parts(total, weights):
    assert allocate(total, weights) == allocate(total, list(weights))


@given(total=st.integers(min_value=0, max_value=10**9), weights=weight_lists)
def test_a_larger_weight_never_gets_less(total, weights):
    parts = allocate(total, weights)
    for i in range(len(weights)):
        for j in range(len(weights)):
            if weights[i] > weights[j]:
                assert parts[i] >= parts[j]
