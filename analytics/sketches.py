"""HyperLogLog: distinct listeners over any range of days, in 4 KiB per scope and day.

A listener key hashes to 64 bits (the first 16 hex digits of its MD5, which PostgreSQL computes
the same way, so sketches can be built in SQL or in Python alike). The top 12 bits pick one of
4,096 registers; the register keeps the largest rank (1 + leading zeros of the other 52 bits)
seen. A union of sketches is the register-wise maximum, so adding a listener twice, in any
order, or rebuilding from raw events gives the very same bytes. Standard error 1.04 / √4096 ≈
1.6 %; under ~10,000 listeners the linear-counting correction makes small counts near exact.
"""

import hashlib
import math

import numpy as np

P = 12
M = 1 << P  # registers
_LOW = (1 << (64 - P)) - 1
_ALPHA = 0.7213 / (1 + 1.079 / M)

# The same hash, register and rank in PostgreSQL: a text column `key` → a bigint `h`.
SQL_HASH = "('x' || substr(md5({key}), 1, 16))::bit(64)::bigint"
SQL_REGISTER = "(({h} >> 52) & 4095)"
SQL_RANK = "coalesce(nullif(position(B'1' in {h}::bit(52)), 0), 53)"


def register_of(key: str) -> tuple[int, int]:
    """(register index, rank) of one listener key."""
    h = int(hashlib.md5(key.encode()).hexdigest()[:16], 16)
    return h >> (64 - P), (64 - P) - (h & _LOW).bit_length() + 1


def empty() -> np.ndarray:
    return np.zeros(M, dtype=np.uint8)


def of(registers: bytes | memoryview | None) -> np.ndarray:
    return np.frombuffer(bytes(registers), dtype=np.uint8).copy() if registers else empty()


def add(sketch: np.ndarray, keys) -> np.ndarray:
    """`sketch` with these listener keys added (in place)."""
    for key in keys:
        index, rank = register_of(key)
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


def from_pairs(hexed: str) -> np.ndarray:
    """A sketch from SQL's string_agg of (register << 6 | rank) as 6 hex digits each."""
    packed = np.frombuffer(bytes.fromhex(hexed), dtype=np.uint8).reshape(-1, 3).astype(np.int32)
    values = packed[:, 0] << 16 | packed[:, 1] << 8 | packed[:, 2]
    sketch = empty()
    np.maximum.at(sketch, values >> 6, (values & 63).astype(np.uint8))
    return sketch
