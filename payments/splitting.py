"""Splitting an amount of minor units into parts that always sum exactly to it."""


def allocate(total: int, weights: list[int]) -> list[int]:
    """Split `total` in proportion to `weights` by the largest-remainder rule.

    Each part starts as the floor of its exact share (total * weight / sum of weights); the units
    left over go one each to the parts with the largest remainders, ties going to the earlier
    position. So the parts sum to `total`, each is within one unit of its exact share, a zero
    weight gets zero, and the same input always gives the same answer. Weights are whole numbers,
    e.g. basis points: [3333, 3333, 3334] for 33.33 / 33.33 / 33.34 %. A negative total (a
    refund) is split as its opposite, then negated, so reversing a split gives back every part.
    """
    if type(total) is not int:
        raise TypeError(f"allocate() splits whole minor units, not {total!r}.")
    if not weights:
        raise ValueError("allocate() needs at least one weight.")
    if any(type(w) is not int or w < 0 for w in weights):
        raise ValueError(f"Weights are whole numbers of zero or more, not {weights!r}.")
    if total < 0:
        return [-part for part in allocate(-total, weights)]
    whole = sum(weights)
    if whole == 0:
        raise ValueError("At least one weight must be above zero.")
    parts, remainders = [], []
    for weight in weights:
        part, remainder = divmod(total * weight, whole)
        parts.append(part)
        remainders.append(remainder)
    left_over = total - sum(parts)
    # Largest remainder first; sorted() is stable, so equal remainders keep their positions.
    for index in sorted(range(len(weights)), key=lambda i: -remainders[i])[:left_over]:
        parts[index] += 1
    return parts
