"""How hard the fuzz tests push: one knob for the whole directory.

Each test states its own example budget for the normal unit suite (`fuzz(examples=N)`); the
profile named by HYPOTHESIS_PROFILE scales it:

- ``default`` (local runs): the stated budget, random examples; failures are remembered in
  Hypothesis's example database (.hypothesis/) and tried first next time.
- ``ci`` (picked automatically when CI is set): the same budget, derandomized, so a CI run is
  reproducible and a red run is red again on a rerun; new inputs come from local and long runs.
- ``long``: 50 times the budget, random: `HYPOTHESIS_PROFILE=long make fuzz-long` (or pytest
  on tests/fuzz) for a soak before a release.

Deadlines are off everywhere: ffmpeg, the database and the machine's other tenants make the
time of one example meaningless, and no test here asserts on time.
"""

import os

from hypothesis import HealthCheck, settings

SCALE = {"default": 1, "ci": 1, "long": 50}
PROFILE = os.getenv("HYPOTHESIS_PROFILE") or ("ci" if os.getenv("CI") else "default")
if PROFILE not in SCALE:
    raise RuntimeError(f"HYPOTHESIS_PROFILE={PROFILE!r}: choose one of {', '.join(SCALE)}.")


def fuzz(*, examples: int) -> settings:
    """Hypothesis settings for one fuzz test: `examples` scaled by the profile."""
    return settings(
        max_examples=examples * SCALE[PROFILE],
        deadline=None,
        derandomize=PROFILE == "ci",
        print_blob=True,
        # The tests use pytest-django's database and Django's test client, function-scoped
        # fixtures shared by all examples of a test: each example makes its own rows and
        # asserts only about them.
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
        ],
    )
