"""An isolated Backstage stack on 127.0.0.1, for the load and fault tests.

Every service is a process this harness starts on a free loopback port and stops at the end:
its own redis-server (AOF on, as in docker-compose.yml, so a Redis restart keeps the task queue
and the unflushed beacons), its own PostgreSQL cluster (initdb as the `postgres` OS user, so
`pg_ctl restart` disturbs nobody else's tests), moto's S3 server behind a small TCP relay
(stopping the relay is "the S3 endpoint is down" while moto keeps the objects: moto holds them
in memory and a real S3 or MinIO would keep them too), gunicorn with DEBUG off, and a Celery
worker and beat.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

BASE_DIR = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
ROOT = os.geteuid() == 0  # initdb refuses root: PostgreSQL then runs as the postgres user


def _pg_bin() -> Path:
    """Where initdb and pg_ctl are: PG_BIN, else on PATH, else Debian's newest cluster."""
    if os.getenv("PG_BIN"):
        return Path(os.environ["PG_BIN"])
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    return versions[-1].parent if versions else Path("/usr/local/bin")


PG_BIN = _pg_bin()
REDIS_SERVER = os.getenv("REDIS_SERVER") or shutil.which("redis-server") or "/usr/bin/redis-server"
BUCKET = "backstage-load"
STRIPE_WEBHOOK_SECRET = "whsec_load_test_only"
QUEUES = "audio,analytics,payments,default"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def tail(path: Path, lines: int = 40) -> str:
    if not path.exists():
        return "(no log)"
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


class StackError(RuntimeError):
    pass


def wait_until(ready, *, what: str, log: Path | None = None, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if ready():
                return
        except Exception:  # not up yet, whatever the reason
            pass
        time.sleep(0.25)
    raise StackError(f"{what} did not come up within {timeout:.0f} s\n{tail(log) if log else ''}")


def stop_process(process: subprocess.Popen | None, *, timeout: float = 30) -> None:
    """SIGTERM, then SIGKILL if it hangs; always reaped."""
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class Stack:
    """Start with `with Stack(...) as stack:`; everything is stopped and deleted on exit."""

    def __init__(self, *, web_workers: int = 3, celery_concurrency: int = 2, keep: bool = False):
        self.web_workers, self.celery_concurrency, self.keep = web_workers, celery_concurrency, keep
        self.dir = Path(tempfile.mkdtemp(prefix="backstage-load-"))
        self.logs = self.dir / "logs"
        self.logs.mkdir()
        self.ports = {
            name: free_port() for name in ("redis", "postgres", "moto", "s3", "web", "stripe")
        }
        self.processes: dict[str, subprocess.Popen] = {}
        self.restarts: dict[str, int] = {"worker": 0, "beat": 0}
        self._stopping = threading.Event()
        self.pgdata = self.dir / "pg" / "data"
        self.url = f"http://127.0.0.1:{self.ports['web']}"

    # --- Environment ------------------------------------------------------------------------

    @property
    def env(self) -> dict[str, str]:
        """What web, worker, beat and the harness's own Django share (docker-compose's shape)."""
        keep = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "S3_"))}
        return {
            **keep,
            "DJANGO_SETTINGS_MODULE": "backstage.settings",
            "DEBUG": "false",
            "SECRET_KEY": "load-test-secret-not-for-anything-else-" + "k" * 24,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SITE_URL": self.url,
            "SECURE_SSL_REDIRECT": "false",
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:{self.ports['postgres']}/backstage",
            "DB_CONN_MAX_AGE": "60",
            "REDIS_URL": f"redis://127.0.0.1:{self.ports['redis']}/0",
            "S3_BUCKET": BUCKET,
            "S3_ENDPOINT_URL": f"http://127.0.0.1:{self.ports['s3']}",
            "S3_ACCESS_KEY": "testing",
            "S3_SECRET_KEY": "testing",
            "S3_REGION": "us-east-1",
            "STATIC_ROOT": str(self.dir / "static"),
            "VAR_DIR": str(self.dir / "var"),
            # The Stripe sandbox as a service of its own, as in docker-compose: every gunicorn
            # worker must see the same checkout sessions.
            "STRIPE_API_BASE": f"http://127.0.0.1:{self.ports['stripe']}",
            "STRIPE_WEBHOOK_SECRET": STRIPE_WEBHOOK_SECRET,
            "ACCOUNT_EMAIL_VERIFICATION": "none",
            # One machine sends every request: the per-IP caps would flag the load's own plays.
            "PLAY_CAP_PER_IP": "1000000",
            "PLAY_CAP_PER_LISTENER": "1000000",
            # A SIGKILLed worker's task is back in the queue this soon (production: 15 min).
            "CELERY_VISIBILITY_TIMEOUT": "30",
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }

    def _popen(self, name: str, args: list, **kwargs) -> subprocess.Popen:
        log = open(self.logs / f"{name}.log", "ab")  # noqa: SIM115 (the child keeps it)
        process = subprocess.Popen(
            [str(a) for a in args],
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=BASE_DIR,
            env=kwargs.pop("env", self.env),
            **kwargs,
        )
        log.close()
        self.processes[name] = process
        return process

    def manage(self, *args: str, timeout: float = 600) -> str:
        done = subprocess.run(
            [BIN / "python", "manage.py", *args],
            cwd=BASE_DIR,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if done.returncode:
            raise StackError(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    # --- Services -------------------------------------------------------------------------

    def start_redis(self) -> None:
        data = self.dir / "redis"
        data.mkdir(exist_ok=True)
        self._popen(
            "redis",
            [
                REDIS_SERVER,
                "--bind",
                "127.0.0.1",
                "--port",
                self.ports["redis"],
                "--dir",
                data,
                "--save",
                "",
                "--appendonly",
                "yes",
                "--appendfsync",
                "everysec",
            ],
        )
        wait_until(lambda: answers(self.ports["redis"]), what="redis", log=self.logs / "redis.log")

    def stop_redis(self) -> None:
        stop_process(self.processes.get("redis"))

    def _pg(self, *args, check: bool = True) -> subprocess.CompletedProcess:
        as_postgres = ["runuser", "-u", "postgres", "--"] if ROOT else []
        return subprocess.run(
            [*as_postgres, *[str(a) for a in args]],
            capture_output=True,
            text=True,
            check=check,
            timeout=120,
        )

    def start_postgres(self) -> None:
        (self.dir / "pg").mkdir(exist_ok=True)
        if ROOT:  # the postgres user may enter the folder, and owns the cluster's
            shutil.chown(self.dir, "postgres")
            shutil.chown(self.dir / "pg", "postgres", "postgres")
        if not self.pgdata.exists():
            self._pg(PG_BIN / "initdb", "-A", "trust", "-U", "postgres", "-D", self.pgdata)
        self.pg_ctl("start")
        import psycopg

        url = f"postgresql://postgres@127.0.0.1:{self.ports['postgres']}/postgres"
        with psycopg.connect(url, autocommit=True) as connection:
            connection.execute("CREATE DATABASE backstage")

    def pg_ctl(self, action: str, *extra: str) -> None:
        options = (
            f"-p {self.ports['postgres']} -c listen_addresses=127.0.0.1 -k {self.dir / 'pg'}"
            " -c fsync=off -c max_connections=200 -c shared_buffers=128MB"
        )
        done = self._pg(
            PG_BIN / "pg_ctl",
            "-D",
            self.pgdata,
            "-o",
            options,
            "-l",
            self.dir / "pg" / "pg.log",
            "-w",
            "-t",
            "60",
            action,
            *extra,
            check=False,
        )
        if done.returncode and action != "stop":
            raise StackError(f"pg_ctl {action}: {done.stdout}{done.stderr}")

    def start_s3(self) -> None:
        """moto once (it keeps the objects), and the relay the site talks to."""
        if "moto" not in self.processes:
            self._popen("moto", [BIN / "moto_server", "-H", "127.0.0.1", "-p", self.ports["moto"]])
            wait_until(lambda: answers(self.ports["moto"]), what="moto", log=self.logs / "moto.log")
            import boto3

            boto3.client(
                "s3",
                endpoint_url=f"http://127.0.0.1:{self.ports['moto']}",
                region_name="us-east-1",
                aws_access_key_id="testing",
                aws_secret_access_key="testing",
            ).create_bucket(Bucket=BUCKET)
        self._popen(
            "s3",
            [BIN / "python", "-m", "tests.load.relay", self.ports["s3"], self.ports["moto"]],
        )
        wait_until(lambda: answers(self.ports["s3"]), what="s3 relay", log=self.logs / "s3.log")

    def stop_s3(self) -> None:
        stop_process(self.processes.get("s3"))

    def start_stripe(self) -> None:
        """The Stripe sandbox; it posts its signed events to the site and retries failures."""
        self._popen(
            "stripe",
            [
                *(BIN / "python", "-m", "payments.sandbox", "--port", self.ports["stripe"]),
                *("--webhook-url", f"{self.url}/payments/webhook"),
                *("--webhook-secret", STRIPE_WEBHOOK_SECRET, "--state", self.dir / "stripe.json"),
            ],
        )
        wait_until(
            lambda: answers(self.ports["stripe"]),
            what="stripe sandbox",
            log=self.logs / "stripe.log",
        )

    def start_web(self) -> None:
        self._popen(
            "web",
            [
                BIN / "gunicorn",
                "backstage.wsgi",
                "--bind",
                f"127.0.0.1:{self.ports['web']}",
                "--workers",
                self.web_workers,
                "--timeout",
                "60",
                "--graceful-timeout",
                "10",
            ],
        )
        wait_until(lambda: answers(self.ports["web"]), what="gunicorn", log=self.logs / "web.log")

    def start_worker(self) -> None:
        self._spawn_worker()
        wait_until(
            self._worker_ready, what="celery worker", log=self.logs / "worker.log", timeout=180
        )

    def _spawn_worker(self) -> None:
        self._popen(
            "worker",
            [
                BIN / "celery",
                "-A",
                "backstage",
                "worker",
                "-Q",
                QUEUES,
                "-n",
                f"load-{os.getpid()}@%h",
                "--concurrency",
                self.celery_concurrency,
                "--without-gossip",
                "--without-mingle",
                "--loglevel",
                "INFO",
            ],
        )
        wait_until(
            self._worker_ready, what="celery worker", log=self.logs / "worker.log", timeout=180
        )

    def _worker_ready(self) -> bool:
        return (
            "ready."
            in (self.logs / "worker.log").read_text(errors="replace").split("--- started", 1)[-1]
        )

    def kill_worker(self) -> None:
        """SIGKILL the worker and its pool children: no cleanup, as the OOM killer does."""
        process = self.processes["worker"]
        children = psutil.Process(process.pid).children(recursive=True)
        process.kill()
        for child in children:
            child.kill()
        process.wait()
        psutil.wait_procs(children, timeout=10)

    def worker_back(self) -> None:
        """Wait for the supervisor to have started the worker again, and for it to be ready."""
        wait_until(
            lambda: self.processes["worker"].poll() is None and self._worker_ready(),
            what="celery worker (restarted)",
            log=self.logs / "worker.log",
            timeout=180,
        )

    def start_beat(self) -> None:
        self._popen(
            "beat",
            [
                BIN / "celery",
                "-A",
                "backstage",
                "beat",
                "--schedule",
                self.dir / "beat-schedule",
                "--loglevel",
                "INFO",
            ],
        )

    def supervise(self) -> None:
        """Start the worker or beat again when it exits, as docker-compose's `restart:
        unless-stopped` does in the deployment. Counted: a restart the site needed."""
        starters = {"worker": self._spawn_worker, "beat": self.start_beat}
        while not self._stopping.wait(1):
            for name, start in starters.items():
                process = self.processes.get(name)
                if process is not None and process.poll() is not None:
                    with open(self.logs / f"{name}.log", "a") as log:
                        log.write(f"\n--- exited with {process.returncode}; started again\n")
                    self.restarts[name] += 1
                    start()

    # --- Whole stack ----------------------------------------------------------------------

    def start(self) -> "Stack":
        self.start_redis()
        self.start_postgres()
        self.start_s3()
        self.start_stripe()
        self.manage("migrate", "--noinput")
        self.manage("collectstatic", "--noinput", "--verbosity", "0")
        self.start_web()
        self.start_worker()
        self.start_beat()
        threading.Thread(target=self.supervise, daemon=True).start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        time.sleep(1.5)  # the supervisor's last look
        for name in ("beat", "web", "worker", "stripe", "s3", "moto", "redis"):
            stop_process(self.processes.get(name))
        if self.pgdata.exists():
            self.pg_ctl("stop", "-m", "fast")
        if not self.keep:
            shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> "Stack":
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc) -> None:
        self.stop()

    # --- Memory ---------------------------------------------------------------------------

    def rss(self) -> dict[str, int]:
        """Resident memory (bytes) of gunicorn's workers, the Celery worker (with its pool) and
        beat: each process with its children."""
        sizes = {}
        for name in ("web", "worker", "beat"):
            process = self.processes.get(name)
            if process is None or process.poll() is not None:
                continue
            try:
                root = psutil.Process(process.pid)
                family = [root, *root.children(recursive=True)]
                sizes[name] = sum(p.memory_info().rss for p in family if p.is_running())
            except psutil.NoSuchProcess:
                continue
        return sizes
