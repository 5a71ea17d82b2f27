"""The full stack for real: PostgreSQL, Redis, an S3 endpoint (moto) and a Celery worker process.

Settings are read from the environment before any conftest is imported (pytest-django sets
Django up first), so `make test-fullstack` names the services, including the free port moto
must listen on. This file starts moto on that port and a worker on the test database, and
stops both when the session ends.
"""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import boto3
import pytest
import redis
from django.conf import settings

BIN = Path(sys.executable).parent
# Every queue a task is routed to: the worker consumes them all, and they are purged after a test.
QUEUES = sorted(
    {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()}
    | {settings.CELERY_TASK_DEFAULT_QUEUE}
)
WORKER_ARGS = [
    *("-A", "backstage", "worker", "-Q", ",".join(QUEUES)),
    *("--concurrency=1", "--pool=solo", "--without-gossip", "--without-mingle", "--loglevel=INFO"),
]
WORKER_LOG = pytest.StashKey[Path]()
WORKER = pytest.StashKey["Worker"]()


def _not_configured() -> str | None:
    if not settings.S3_BUCKET or not settings.S3_ENDPOINT_URL:
        return "S3_BUCKET and S3_ENDPOINT_URL are not set"
    if not settings.REDIS_URL:
        return "REDIS_URL is not set"
    if not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        return "DATABASE_URL does not name a PostgreSQL database"
    return None


def _start(args: list, *, log: Path, **kwargs) -> subprocess.Popen:
    with open(log, "wb") as out:
        return subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, **kwargs)


def _wait_until(ready, *, process: subprocess.Popen, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{process.args} exited with {process.returncode}:\n{_tail(log)}")
        if ready():
            return
        time.sleep(0.2)
    pytest.fail(f"{process.args} did not start within {timeout:.0f} s:\n{_tail(log)}")


def _stop(process: subprocess.Popen) -> None:
    """SIGTERM (a Celery worker finishes its task, then exits), SIGKILL if that hangs."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _tail(path: Path, lines: int = 60) -> str:
    if not path.exists():
        return "(no log)"
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def _answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


class Worker:
    """The worker process, which a test may kill and start again (same name, same log)."""

    def __init__(self, *, hostname: str, log: Path, env: dict):
        self.hostname, self.log, self.env = hostname, log, env
        self.process: subprocess.Popen | None = None

    def start(self, **extra_env: str) -> None:
        from backstage.celery import app

        with open(self.log, "ab") as out:
            self.process = subprocess.Popen(
                [BIN / "celery", *WORKER_ARGS, "-n", self.hostname],
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=settings.BASE_DIR,
                env={**self.env, **extra_env},
            )
        _wait_until(
            lambda: app.control.ping(destination=[self.hostname], timeout=0.5),
            process=self.process,
            log=self.log,
            timeout=40,
        )

    def kill(self) -> None:
        """SIGKILL: no cleanup, as when the machine loses power or the OOM killer strikes."""
        self.process.kill()
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None:
            _stop(self.process)


@pytest.fixture(scope="session")
def s3(tmp_path_factory):
    """A moto S3 server on the port S3_ENDPOINT_URL names, with the bucket created.

    Yields a boto3 client, to look inside the bucket as an operator would.
    """
    problem = _not_configured()
    if problem:
        pytest.skip(f"{problem}: run the full-stack tests with `make test-fullstack`")
    endpoint = urlsplit(settings.S3_ENDPOINT_URL)
    log = tmp_path_factory.mktemp("moto") / "moto.log"
    process = _start(
        [BIN / "moto_server", "-H", endpoint.hostname, "-p", str(endpoint.port)], log=log
    )
    try:
        _wait_until(
            lambda: _answers(endpoint.hostname, endpoint.port),
            process=process,
            log=log,
            timeout=20,
        )
        options = settings.STORAGES["audio"]["OPTIONS"]
        client = boto3.client(
            "s3",
            endpoint_url=settings.S3_ENDPOINT_URL,
            region_name=options["region_name"],
            aws_access_key_id=options["access_key"],
            aws_secret_access_key=options["secret_key"],
        )
        client.create_bucket(Bucket=settings.S3_BUCKET)
        yield client
    finally:
        _stop(process)


@pytest.fixture(scope="session")
def django_db_modify_db_settings():
    """A test database of our own, so a unit-test run at the same time is left alone."""
    database = settings.DATABASES["default"]
    database.setdefault("TEST", {})["NAME"] = f"test_{database['NAME']}_fullstack"


@pytest.fixture(scope="session")
def celery_worker(request, s3, django_db_setup, tmp_path_factory):
    """A real worker process on the test database, consuming every queue from Redis.

    Started after pytest-django has created the test database, and stopped before it drops it
    (this fixture depends on django_db_setup), so the worker never holds a connection to it.
    """
    from django.db import connection

    broker = redis.Redis.from_url(settings.REDIS_URL)
    if broker.connection_pool.connection_kwargs.get("db", 0) == 0:
        pytest.fail("REDIS_URL names Redis database 0; give the tests their own, e.g. /15")
    broker.flushdb()  # no tasks left over from an earlier, interrupted run
    test_database = urlsplit(os.environ["DATABASE_URL"])._replace(
        path="/" + connection.settings_dict["NAME"]
    )
    hostname = f"fullstack-{os.getpid()}@{socket.gethostname()}"
    log = tmp_path_factory.mktemp("celery") / "worker.log"
    request.config.stash[WORKER_LOG] = log
    worker = Worker(
        hostname=hostname, log=log, env={**os.environ, "DATABASE_URL": test_database.geturl()}
    )
    request.config.stash[WORKER] = worker
    try:
        worker.start()
        yield hostname
    finally:
        worker.stop()


@pytest.fixture(autouse=True)
def worker_idle_before_flush(request, _django_db_helper):
    """After each test, drop the tasks still queued and wait for the worker to finish its own.

    pytest-django empties the tables with one TRUNCATE after a transactional test; a task still
    writing then (a drain started by the test, say) can deadlock with it, and the flush fails.
    Set up after the database helper, so this runs before its flush.
    """
    yield
    if "celery_worker" not in request.fixturenames:
        return
    from backstage.celery import app

    worker = request.config.stash[WORKER]
    if worker.process is None or worker.process.poll() is not None:
        return
    inspect = app.control.inspect(destination=[worker.hostname], timeout=1)
    quiet, deadline = 0, time.monotonic() + 60
    while quiet < 3:  # three looks in a row: a finishing task may queue another
        if time.monotonic() > deadline:
            pytest.fail(f"the worker was still busy 60 s after the test:\n{_tail(worker.log)}")
        purged = _purge_queues(app)
        busy = [inspect.active(), inspect.reserved()]
        idle = all(answer and not any(answer.values()) for answer in busy)
        quiet = quiet + 1 if idle and not purged and not _other_sessions_at_work() else 0
        time.sleep(0.2)


def _purge_queues(app) -> int:
    """Drop the tasks waiting in the worker's queues (app.control.purge knows only the default
    queue: the others exist through task routes). How many were dropped."""
    with app.connection_for_write() as connection:
        channel = connection.default_channel
        return sum(channel.queue_purge(queue) or 0 for queue in QUEUES)


def _other_sessions_at_work() -> list[str]:
    """Queries other connections are running on the test database (a killed worker's too)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT query FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid <> pg_backend_pid() AND state NOT IN ('idle')"
        )
        return [query for (query,) in cursor.fetchall()]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """A failing full-stack test shows what the worker was doing."""
    report = yield
    log = item.config.stash.get(WORKER_LOG, None)
    if report.failed and log is not None:
        report.sections.append(("celery worker log (tail)", _tail(log)))
    return report
