"""Order keys for playlist items: moving an item rewrites that item's key and nothing else.

A key is a string of base-36 digits (0-9, a-z) read as a fraction 0.d1d2d3…, so between any
two keys there is always another one. Keys sort the same as text in every collation we run on
(digits and lower-case letters only). Appends and prepends step a fixed-width, six-digit
integer part from the middle of its range (trailing zeros dropped), so adding 10,000 tracks
at the end keeps keys six characters long; only repeated insertions into the same gap make a
key longer (one character per ~5 halvings).
"""

DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"
BASE = len(DIGITS)
WIDTH = 6
FIRST = DIGITS[BASE // 2]  # "i" (0.5): room on both sides


def _value(digit: str) -> int:
    return DIGITS.index(digit)


def _step(key: str, delta: int) -> str:
    """The six-digit integer part of `key`, plus `delta` (±1), as a new key."""
    head = key[:WIDTH].ljust(WIDTH, "0")
    number = 0
    for digit in head:
        number = number * BASE + _value(digit)
    number += delta
    if not 0 < number < BASE**WIDTH:
        raise OverflowError("No room left at this end of the list.")
    out = []
    for _ in range(WIDTH):
        number, rest = divmod(number, BASE)
        out.append(DIGITS[rest])
    return "".join(reversed(out)).rstrip("0")  # no trailing zeros: text order = number order


def _midpoint(low: str, high: str | None) -> str:
    """A digit string strictly between fractions `low` and `high` (None: 1.0), not ending in 0.

    Neither argument ends in 0, so comparing keys as text compares them as numbers."""
    if high is not None:
        common = 0
        while common < len(high) and (low[common] if common < len(low) else "0") == high[common]:
            common += 1
        if common:
            return high[:common] + _midpoint(low[common:], high[common:])
    low_digit = _value(low[0]) if low else 0
    high_digit = _value(high[0]) if high else BASE
    if high_digit - low_digit > 1:
        return DIGITS[(low_digit + high_digit) // 2]
    if high is not None and len(high) > 1:
        return high[0]  # high[0] alone is below high (which goes on, not with zeros) and above low
    return DIGITS[low_digit] + _midpoint(low[1:], None)


def key_between(before: str | None, after: str | None) -> str:
    """A key that sorts after `before` and before `after` (None: that end of the list)."""
    if before is not None and after is not None:
        if not before < after:
            raise ValueError(f"{before!r} must sort before {after!r}")
        return _midpoint(before, after)
    if before is None and after is None:
        return FIRST
    if after is None:
        return _step(before, +1)
    return _step(after, -1)
