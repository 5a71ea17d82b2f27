"""HyperLogLog: distinct listeners over any range of days, in 4 KiB per scope and day.

A listener key hashes to 64 bits with PostgreSQL's `hashtextextended(key, 0)` (the hash that
hash partitioning relies on, so it stays the same across upgrades; twice as fast as MD5 when
rebuilding from 10 million events), always computed in SQL: sketches exist on PostgreSQL only.
The top 12 bits pick one of 4,096 registers; the register keeps the largest rank (1 + leading
zeros of the other 52 bits) seen. A union of sketches is the register-wise maximum, so adding
a listener twice, in any order, or rebuilding from raw events gives the very same bytes.
Standard error 1.04 / √4096 ≈ 1.6 %; under ~10,000 listeners the linear-counting correction
makes small counts near exact.
"""

import math

import numpy as np

P = 12
M = 1 << P  # registers
_ALPHA = 0.7213 / (1 + 1.079 / M)

# A text column `key` → a bigint `h` → its register and rank.
SQL_HASH = "hashtextextended({key}, 0)"
SQL_REGISTER = "(({h} >> 52) & 4095)"
SQL_RANK = "coalesce(nullif(position(B'1' in {h}::bit(52)), 0), 53)"


def registers_of(cursor, keys: list[str]) -> dict[str, tuple[int, int]]:
    """key → (register index, rank), computed by PostgreSQL."""
    h = SQL_HASH.format(key="k")
    cursor.execute(
        f"SELECT k, {SQL_REGISTER.format(h=h)}, {SQL_RANK.format(h=h)}"
        " FROM unnest(%s::text[]) AS k",
        [keys],
    )
    return {key: (register, rank) for key, register, rank in cursor.fetchall()}


def empty() -> np.ndarray:
    return np.zeros(M, dtype=np.uint8)


def of(registers: bytes | memoryview | None) -> np.ndarray:
    return np.frombuffer(bytes(registers), dtype=np.uint8).copy() if registers else empty()


def add(sketch: np.ndarray, pairs) -> np.ndarray:
    """`sketch` with these (register, rank) pairs added (in place)."""
    for index, rank in pairs:
        if rank > sketch[index]:
            sketch[index] = rank
    return sketch


def union(sketches) -> np.ndarray:
    stacked = [of(s) for s in sketches]
    return np.maximum.reduce(stacked) if stacked else empty()


def estimate(sketch: np.ndarray) -> int:
    """Distinct keys added to `sketch` (HyperLogLog with the small-range correction)."""
    zeros = int(np.count_nonzero(sketch == 0))
    raw = _ALPHA * M * M / float(np.sum(np.ldexp(1.0, -sketch.astype(np.int32))))
    if raw <= 2.5 * M and zeros:
        return round(M * math.log(M / zeros))  # linear counting: near exact when small
    return round(raw)


def from_pairs(packed: bytes | memoryview) -> np.ndarray:
    """A sketch from SQL's string_agg of int4send(register << 6 | rank) (4 bytes each)."""
    values = np.frombuffer(bytes(packed), dtype=">u4").astype(np.int32)
    sketch = empty()
    np.maximum.at(sketch, values >> 6, (values & 63).astype(np.uint8))
    return sketch


_BIT_LENGTH_EXACT = 1 << 53  # float64 holds integers exactly below this


def per_day(ids: np.ndarray, days: np.ndarray, hashes: np.ndarray):
    """Distinct hashes per (id, day) counted, and their sketches, from one row per play.

    `ids` and `days` (days since 2000-01-01) are int64, `hashes` int64 (hashtextextended).
    Returns (ids, days, counts, registers[n, 4096]), one row per (id, day), sorted.
    Registers and ranks are the SQL ones (SQL_REGISTER, SQL_RANK): the drain's sketches and
    these are byte for byte the same.
    """
    key = ids.astype(np.int64) << 16 | days.astype(np.int64)
    order = np.lexsort((hashes, key))
    key, hashes = key[order], hashes[order]
    first = np.ones(len(key), dtype=bool)
    first[1:] = (key[1:] != key[:-1]) | (hashes[1:] != hashes[:-1])
    key, hashes = key[first], hashes[first]  # each listener once per id and day
    groups, group_of, counts = np.unique(key, return_inverse=True, return_counts=True)
    low = hashes & ((1 << (64 - P)) - 1)
    assert int(low.max(initial=0)) < _BIT_LENGTH_EXACT
    rank = (64 - P) - np.frexp(low.astype(np.float64))[1] + 1  # 53 when low == 0
    register = (hashes >> (64 - P)) & (M - 1)
    registers = np.zeros(len(groups) * M, dtype=np.uint8)
    np.maximum.at(registers, group_of * M + register, rank.astype(np.uint8))
    return groups >> 16, groups & 0xFFFF, counts, registers.reshape(len(groups), M)
