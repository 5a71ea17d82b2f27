"""Picture checks: how fast a hostile picture is refused, and what an honest one costs.

No database or settings: backstage/images.py alone, on pictures made in memory
(tests/pictures.py). Prints figures; never fails.

    .venv/bin/python -m tests.bench.pictures
"""

import resource
import time

from django.core.exceptions import ValidationError

from backstage.images import normalise_image
from tests.pictures import picture, png_bomb


def best_of(runs: int, work) -> float:
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - started)
    return best


def refused(data: bytes) -> None:
    try:
        normalise_image(data, max_side=1600, stem="bench")
    except ValidationError:
        return
    raise AssertionError("a hostile picture was accepted")


def main() -> None:
    for side in (8000, 20000):
        bomb = png_bomb(side)
        seconds = best_of(5, lambda bomb=bomb: refused(bomb))
        print(
            f"PNG bomb {side}×{side} ({side * side / 1e6:.0f} MP) in {len(bomb) / 1024:.0f} KB: "
            f"refused in {seconds * 1000:.2f} ms"
        )
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    photo = picture("JPEG", size=(4000, 3000))
    seconds = best_of(3, lambda: normalise_image(photo, max_side=1600, stem="bench"))
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        f"12 MP JPEG ({len(photo) / 1024:.0f} KB) decoded and re-encoded at 1600 px: "
        f"{seconds * 1000:.0f} ms, peak RSS +{(rss_after - rss_before) / 1024:.0f} MB"
    )


if __name__ == "__main__":
    main()
