"""The shortened load run (`make test-load`): mixed traffic, a short soak and each fault, on a
stack of its own. It asserts what must hold whatever the machine (nothing lost or doubled, no
500s, degraded pages say so, memory flat) and prints the speed figures without judging them.
`make load` is the full run (tests/load/run.py).
"""

import json
import os
import subprocess
import sys

import pytest

from tests.load.stack import BASE_DIR

pytestmark = pytest.mark.load

TIMEOUT = 1800  # seconds; ~11 min on a busy 2-core machine, 15 with other suites beside it

SHORT = {
    "LOAD_STEPS": "5,10",
    "STEP_SECONDS": "15",
    "SOAK_MINUTES": "2",
    "SOAK_USERS": "8",
    "FAULT_SECONDS": "10",
    "FAULT_USERS": "8",
    "WEB_WORKERS": "2",
    "LOAD_SEED_SIZES": json.dumps(
        {"artists": 10, "tracks_per_artist": 10, "fans": 20, "uploaders": 4}
    ),
}


@pytest.fixture(scope="module")
def figures(tmp_path_factory):
    results = tmp_path_factory.mktemp("load") / "load-results.md"
    env = {**os.environ, **SHORT, "LOAD_RESULTS": str(results)}
    run = subprocess.Popen([sys.executable, "-m", "tests.load"], cwd=BASE_DIR, env=env)
    try:
        run.wait(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        run.terminate()  # SIGTERM: the harness stops every process of its stack
        run.wait(timeout=120)
        pytest.fail(f"the load run took over {TIMEOUT} s")
    assert run.returncode == 0
    print(results.read_text())
    return json.loads(results.with_suffix(".json").read_text())


def test_the_soak_has_no_errors_and_loses_nothing(figures):
    soak = figures["soak"]

    assert soak["requests"] > 0 and soak["plays"] > 0 and soak["uploads"] > 0
    assert soak["payments"] > 0
    assert soak["errors"] == 0
    assert (soak["lost_plays"], soak["doubled_plays"], soak["stuck_uploads"]) == (0, 0, 0)
    assert (soak["lost_payments"], soak["doubled_payments"]) == (0, 0)
    assert soak["ledger_ok"]


def test_memory_does_not_grow_during_the_soak(figures):
    growth = figures["soak"]["growth"]

    assert set(growth) == {"web", "worker", "beat"}
    assert all(value <= 0.10 for value in growth.values()), growth


def test_every_fault_is_survived_without_a_500_or_a_lost_play_payment_or_upload(figures):
    faults = {fault["fault"]: fault for fault in figures["faults"]}

    assert len(faults) == 4
    for name, fault in faults.items():
        assert fault["pages_inside"] > 0, name
        assert fault["errors_inside"] == 0, (name, fault["error_names"])
        assert fault["errors_outside"] == 0, (name, fault["error_names"])
        assert fault["plays"] > 0 and fault["payments"] > 0, name
        assert (fault["lost_plays"], fault["doubled_plays"]) == (0, 0), name
        assert (fault["lost_payments"], fault["doubled_payments"]) == (0, 0), name
        assert fault["stuck_uploads"] == 0, name
        assert fault["ledger_ok"], name


def test_pages_keep_being_served_while_redis_s3_or_a_worker_is_down(figures):
    for fault in figures["faults"]:
        if not fault["fault"].startswith("PostgreSQL"):
            assert fault["pages_ok_inside"] == fault["pages_inside"], fault["fault"]


def test_a_database_restart_shows_the_friendly_page_not_a_500(figures):
    (restart,) = [f for f in figures["faults"] if f["fault"].startswith("PostgreSQL")]

    pages = restart["pages_inside"]
    assert restart["pages_ok_inside"] + restart["friendly_503_inside"] >= pages
