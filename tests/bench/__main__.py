"""`make bench`: the upload pipeline, then page serving, each in its own Python process.

Each part configures Django its own way (a throwaway embedded default, a throwaway PostgreSQL
database), so they cannot share a process. Name parts to run only those:

    .venv/bin/python -m tests.bench [pipeline] [pages] [embed] [search] [ingest] [drain]
        [rebuild] [dashboard] [live] [radio] [webhooks] [earnings] [supporters] [queue] [pictures]
"""

import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PARTS = (
    "pipeline",
    "pages",
    "embed",
    "search",
    "ingest",
    "drain",
    "rebuild",
    "dashboard",
    "live",
    "radio",
    "webhooks",
    "earnings",
    "supporters",
    "queue",
    "pictures",
)


def main() -> int:
    chosen = [part for part in sys.argv[1:] if part in PARTS] or list(PARTS)
    failed = []
    started = time.perf_counter()
    for part in chosen:
        print(f"=== {part} ===", flush=True)
        part_started = time.perf_counter()
        result = subprocess.run([sys.executable, "-m", f"tests.bench.{part}"], cwd=REPO)
        if result.returncode != 0:
            failed.append(part)
        print(f"({part}: {time.perf_counter() - part_started:.0f} s)\n", flush=True)
    print(f"Benchmarks done in {time.perf_counter() - started:.0f} s.", end=" ")
    print(
        f"These parts crashed: {', '.join(failed)}."
        if failed
        else "Targets are reported, not enforced."
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
