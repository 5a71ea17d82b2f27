"""The load, soak and fault run: `python -m tests.load` (or `make load`; tests/load/test_load.py
runs a shortened one). Prints markdown tables and writes them, with the raw figures as JSON,
to LOAD_RESULTS (default var/load-results.md).

Knobs (environment): LOAD_STEPS ("10,20,40,80"), STEP_SECONDS (30), SOAK_MINUTES (30),
SOAK_USERS (20), FAULT_SECONDS (60), FAULT_USERS (15), WEB_WORKERS (3).
"""

import json
import os
import platform
import signal
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .stack import BASE_DIR, BIN, Stack, StackError, tail, wait_until

FRIENDLY_STATUSES = {503}


@dataclass
class Config:
    steps: list[int] = field(default_factory=lambda: [10, 20, 40, 80])
    step_seconds: int = 30
    soak_seconds: int = 30 * 60
    soak_users: int = 20
    fault_seconds: int = 60
    fault_users: int = 15
    web_workers: int = 3
    seed: dict = field(default_factory=dict)
    results: Path = BASE_DIR / "var" / "load-results.md"

    @classmethod
    def from_env(cls) -> "Config":
        env = os.environ
        return cls(
            steps=[int(n) for n in env.get("LOAD_STEPS", "10,20,40,80").split(",")],
            step_seconds=int(env.get("STEP_SECONDS", 30)),
            soak_seconds=int(float(env.get("SOAK_MINUTES", 30)) * 60),
            soak_users=int(env.get("SOAK_USERS", 20)),
            fault_seconds=int(env.get("FAULT_SECONDS", 60)),
            fault_users=int(env.get("FAULT_USERS", 15)),
            web_workers=int(env.get("WEB_WORKERS", 3)),
            seed=json.loads(env.get("LOAD_SEED_SIZES", "{}")),
            results=Path(env.get("LOAD_RESULTS", BASE_DIR / "var" / "load-results.md")),
        )


# --- Locust ---------------------------------------------------------------------------------


class Load:
    """One headless locust run in the background, its requests logged under `out`."""

    def __init__(
        self, stack: Stack, *, out: Path, seed: Path, upload: Path, users: int, seconds: int
    ):
        out.mkdir(parents=True, exist_ok=True)
        self.out, self.started = out, time.time()
        env = {
            **os.environ,
            "LOAD_SEED": str(seed),
            "LOAD_OUT": str(out),
            "LOAD_UPLOAD_FILE": str(upload),
            "PYTHONPATH": str(BASE_DIR),
        }
        self.log = open(out / "locust.log", "ab")  # noqa: SIM115
        self.process = subprocess.Popen(
            [
                BIN / "locust",
                "-f",
                BASE_DIR / "tests/load/locustfile.py",
                "--headless",
                "--host",
                stack.url,
                "-u",
                str(users),
                "-r",
                str(max(users // 2, 1)),
                "-t",
                f"{seconds}s",
                "--stop-timeout",
                "15",
                "--csv",
                out / "locust",
                "--only-summary",
                "--loglevel",
                "WARNING",
                "--exit-code-on-error",
                "0",
            ],
            stdout=self.log,
            stderr=subprocess.STDOUT,
            cwd=BASE_DIR,
            env=env,
        )

    def wait(self) -> None:
        try:
            self.process.wait(timeout=3600)
        finally:
            self.log.close()
        if self.process.returncode:
            raise StackError(
                f"locust exited {self.process.returncode}:\n{tail(self.out / 'locust.log')}"
            )

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        self.wait()

    def summary(self) -> dict:
        """The aggregated row of locust's CSV: requests/s, percentiles, failures."""
        import csv

        with open(self.out / "locust_stats.csv") as f:
            rows = {row["Name"]: row for row in csv.DictReader(f)}
        row = rows["Aggregated"]
        count = int(row["Request Count"])
        return {
            "requests": count,
            "rps": float(row["Requests/s"]),
            "p50": float(row["50%"]),
            "p95": float(row["95%"]),
            "p99": float(row["99%"]),
            "failures": int(row["Failure Count"]),
            "error_rate": int(row["Failure Count"]) / count if count else 0.0,
        }

    def requests(self) -> list[dict]:
        path = self.out / "requests.jsonl"
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]

    def records(self, name: str) -> list[dict]:
        path = self.out / f"{name}.jsonl"
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def is_error(request: dict) -> bool:
    """A request a person would see fail: a 5xx other than the friendly 503, or no answer.
    (s3:* are the browser's own uploads to S3, not our pages.)"""
    if request["name"].startswith("s3:"):
        return False
    return request["status"] == 0 or (request["status"] >= 500 and not request["friendly"])


# --- Invariants (the harness's own Django, on the stack's database) --------------------------


def django_setup(stack: Stack) -> None:
    os.environ.update(stack.env)
    import django

    django.setup()


def check_invariants(
    *, tokens: list[str], uploads: list[str], payments: list[dict], timeout: float
) -> dict:
    """Poll until every completed play is counted, no upload is processing and every payment
    paid on the sandbox is booked (or timeout); then what was lost, doubled or left stuck."""
    from django.core.management import call_command
    from django.db import close_old_connections
    from django.db.models import Count

    from analytics.models import PlayEvent
    from analytics.tokens import read_play_token
    from tracks.models import Track

    nonces = {read_play_token(t)["n"] for t in tokens}
    deadline = time.monotonic() + timeout
    while True:
        close_old_connections()
        try:
            counted = dict(
                PlayEvent.objects.filter(nonce__in=nonces, counted=True)
                .values_list("nonce")
                .annotate(n=Count("id"))
            )
            states = dict(
                Track.objects.filter(public_id__in=uploads).values_list("public_id", "status")
            )
            unbooked = unbooked_payments(payments)
        except Exception:
            time.sleep(2)
            continue
        lost = [n for n in nonces if n not in counted]
        stuck = [p for p in uploads if states.get(p) in (None, Track.Status.PROCESSING)]
        if (not lost and not stuck and not unbooked) or time.monotonic() > deadline:
            break
        time.sleep(2)
    failed = [p for p, s in states.items() if s == Track.Status.FAILED]
    from io import StringIO

    ledger = StringIO()
    try:
        call_command("check_ledger", stdout=ledger, stderr=ledger)
        ledger_ok = True
    except (SystemExit, Exception):
        ledger_ok = False
    return {
        "plays": len(nonces),
        "lost_plays": len(lost),
        "doubled_plays": sum(1 for n in counted.values() if n > 1),
        "uploads": len(uploads),
        "stuck_uploads": len(stuck),
        "failed_uploads": len(failed),
        "failed_messages": sorted(
            set(Track.objects.filter(public_id__in=failed).values_list("status_message", flat=True))
        ),
        "payments": len(payments),
        "lost_payments": len(unbooked),
        "doubled_payments": doubled_payments(payments),
        "ledger_ok": ledger_ok,
    }


def unbooked_payments(payments: list[dict]) -> list[str]:
    """Checkout sessions paid on the sandbox whose payment is not (yet) paid and booked."""
    from payments.models import LedgerTransaction, Payment

    sessions = [p["session"] for p in payments]
    paid = dict(
        Payment.objects.filter(
            checkout_session_id__in=sessions, status=Payment.Status.PAID
        ).values_list("checkout_session_id", "payment_intent_id")
    )
    booked = set(
        LedgerTransaction.objects.filter(reference__in=paid.values()).values_list(
            "reference", flat=True
        )
    )
    return [s for s in sessions if paid.get(s) not in booked]


def doubled_payments(payments: list[dict]) -> int:
    """Forms (double clicks included) that made more than one payment, and payments booked,
    or unlocking their purchase, more than once."""
    from django.db.models import Count

    from payments.models import LedgerTransaction, Payment, Purchase

    tokens = [p["token"] for p in payments]
    made = Payment.objects.filter(form_token__in=tokens)
    per_form = made.values("form_token").annotate(n=Count("id")).filter(n__gt=1).count()
    intents = made.exclude(payment_intent_id="").values_list("payment_intent_id", flat=True)
    per_booking = (
        LedgerTransaction.objects.filter(reference__in=list(intents))
        .values("reference")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    per_purchase = (
        Purchase.objects.filter(payment__in=made)
        .values("payment")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    return per_form + per_booking + per_purchase


# --- Phases ---------------------------------------------------------------------------------


class Run:
    def __init__(self, config: Config, stack: Stack, seed: Path, upload: Path):
        self.config, self.stack, self.seed, self.upload = config, stack, seed, upload
        self.out = stack.dir / "runs"
        self.figures: dict = {"steps": [], "soak": {}, "faults": []}
        self.killed_during: list[str] = []

    def load(self, name: str, users: int, seconds: int) -> Load:
        return Load(
            self.stack,
            out=self.out / name,
            seed=self.seed,
            upload=self.upload,
            users=users,
            seconds=seconds,
        )

    def invariants(self, run: Load) -> dict:
        """What the run's plays, uploads and payments left behind, once the queues drained."""
        return check_invariants(
            tokens=[p["token"] for p in run.records("plays")],
            uploads=[u["track"] for u in run.records("uploads")],
            payments=run.records("payments"),
            timeout=180,
        )

    def steps(self) -> None:
        for users in self.config.steps:
            run = self.load(f"step-{users}", users, self.config.step_seconds)
            run.wait()
            figures = {"users": users, **run.summary()}
            self.figures["steps"].append(figures)
            print(
                f"step {users:4d} users: {figures['rps']:.1f} req/s  p50 {figures['p50']:.0f}"
                f"  p95 {figures['p95']:.0f}  p99 {figures['p99']:.0f} ms  errors"
                f" {figures['error_rate']:.2%}",
                flush=True,
            )

    def soak(self) -> None:
        seconds = self.config.soak_seconds
        run = self.load("soak", self.config.soak_users, seconds)
        warm_up = min(120, seconds // 3)
        samples = []
        while run.process.poll() is None:
            time.sleep(10)
            samples.append({"t": time.time() - run.started, **self.stack.rss()})
        run.wait()
        settled = [s for s in samples if s["t"] >= warm_up]
        growth = {}
        for name in ("web", "worker", "beat"):
            values = [s[name] for s in settled if name in s]
            if len(values) >= 2:
                # The mean of the last three samples against the first after warm-up.
                last = sum(values[-3:]) / len(values[-3:])
                growth[name] = (last - values[0]) / values[0]
        requests = run.requests()
        errors = sum(1 for r in requests if is_error(r) or r["status"] >= 500)
        invariants = self.invariants(run)
        self.figures["soak"] = {
            "seconds": seconds,
            "users": self.config.soak_users,
            **run.summary(),
            "errors": errors,
            "growth": growth,
            "samples": samples,
            **invariants,
        }
        print(
            f"soak {seconds}s: errors {errors}, memory growth "
            + ", ".join(f"{k} {v:+.1%}" for k, v in growth.items()),
            flush=True,
        )

    def faults(self) -> None:
        stack, seconds = self.stack, self.config.fault_seconds
        faults = [
            ("Redis stopped", stack.stop_redis, stack.start_redis, seconds),
            ("PostgreSQL restarted", lambda: stack.pg_ctl("restart", "-m", "fast"), None, 0),
            (
                "Celery worker SIGKILLed mid-task",
                self.kill_worker_mid_task,
                stack.worker_back,
                0,
            ),
            ("S3 endpoint stopped", stack.stop_s3, stack.start_s3, seconds),
        ]
        for name, inject, restore, hold in faults:
            self.fault(name, inject, restore, hold)

    def kill_worker_mid_task(self) -> None:
        """SIGKILL once the worker is busy (an upload's processing or a drain), or after 20 s."""
        from backstage.celery import app

        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                active = app.control.inspect(timeout=0.5).active() or {}
            except Exception:
                active = {}
            if any(active.values()):
                self.killed_during = sorted(t["name"] for ts in active.values() for t in ts)
                break
            time.sleep(0.2)
        self.stack.kill_worker()

    def fault(self, name: str, inject, restore, hold: int) -> None:
        recover = 15  # seconds of load after the service is back
        total = 8 + hold + recover + 15
        run = self.load(f"fault-{len(self.figures['faults'])}", self.config.fault_users, total)
        time.sleep(8)
        restarts_before = dict(self.stack.restarts)
        start = time.time()
        inject()
        time.sleep(hold)
        if restore is not None:
            restore()
        end = time.time() + 5  # the site reconnects within a few seconds of the service
        run.wait()
        requests = run.requests()
        inside = [r for r in requests if start <= r["t"] <= end]
        outside = [r for r in requests if not start <= r["t"] <= end]
        pages_inside = [r for r in inside if r["page"]]
        invariants = self.invariants(run)
        figures = {
            "fault": name,
            "seconds": round(end - start),
            "pages_inside": len(pages_inside),
            "pages_ok_inside": sum(1 for r in pages_inside if 200 <= r["status"] < 400),
            "friendly_503_inside": sum(1 for r in inside if r["friendly"]),
            "errors_inside": sum(1 for r in inside if is_error(r)),
            "errors_outside": sum(1 for r in outside if is_error(r)),
            "error_names": sorted({r["name"] for r in requests if is_error(r)}),
            # Processes that exited and were started again by the supervisor (compose's
            # `restart: unless-stopped`); the SIGKILLed worker is one by design.
            "restarted": {
                k: v - restarts_before[k]
                for k, v in self.stack.restarts.items()
                if v > restarts_before[k]
            },
            **invariants,
        }
        if inject == self.kill_worker_mid_task:
            figures["killed_during"] = self.killed_during
        self.figures["faults"].append(figures)
        print(
            f"{name}: pages {figures['pages_ok_inside']}/{figures['pages_inside']} ok during,"
            f" friendly 503 {figures['friendly_503_inside']}, 500s {figures['errors_inside']}"
            f" during / {figures['errors_outside']} outside, plays lost"
            f" {invariants['lost_plays']} doubled {invariants['doubled_plays']}, payments lost"
            f" {invariants['lost_payments']} doubled {invariants['doubled_payments']}, uploads"
            f" stuck {invariants['stuck_uploads']}",
            flush=True,
        )


# --- Report ---------------------------------------------------------------------------------


def best_step(steps: list[dict]) -> dict | None:
    meeting = [s for s in steps if s["p99"] <= 500]
    return meeting[-1] if meeting else None


def restarted(fault: dict) -> str:
    names = ", ".join(f"{name} ×{n}" for name, n in fault.get("restarted", {}).items())
    return f" (restarted by the supervisor: {names})" if names else ""


def report(figures: dict) -> str:
    load = os.getloadavg()
    lines = [
        f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {platform.node()}"
        f" ({os.cpu_count()} CPUs, {platform.machine()}), load average before the run"
        f" {figures.get('load_before', '?')}, after {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}.",
        "",
        "| users | requests/s | p50 ms | p95 ms | p99 ms | error rate |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for s in figures["steps"]:
        lines.append(
            f"| {s['users']} | {s['rps']:.1f} | {s['p50']:.0f} | {s['p95']:.0f} |"
            f" {s['p99']:.0f} | {s['error_rate']:.2%} |"
        )
    best = best_step(figures["steps"])
    lines += [
        "",
        "Highest load with p99 ≤ 500 ms: "
        + (
            f"{best['users']} users, {best['rps']:.1f} requests/s, error rate"
            f" {best['error_rate']:.2%}."
            if best
            else "none of the steps."
        ),
        "",
    ]
    soak = figures.get("soak")
    if soak:
        growth = ", ".join(f"{k} {v:+.1%}" for k, v in soak["growth"].items())
        lines += [
            f"Soak: {soak['seconds'] // 60} min at {soak['users']} users, {soak['rps']:.1f}"
            f" requests/s, p99 {soak['p99']:.0f} ms, {soak['errors']} errors; memory growth after"
            f" warm-up: {growth}; plays {soak['plays']} (lost {soak['lost_plays']}, doubled"
            f" {soak['doubled_plays']}), uploads {soak['uploads']} (stuck"
            f" {soak['stuck_uploads']}), payments {soak['payments']} (lost"
            f" {soak['lost_payments']}, doubled {soak['doubled_payments']}).",
            "",
        ]
    if figures["faults"]:
        lines += [
            "| fault | pages served during | degraded answers (friendly 503) | 500s during /"
            " after | plays lost / doubled | payments lost / doubled | uploads stuck / failed"
            " | ledger balances | manual fix |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for f in figures["faults"]:
            lines.append(
                f"| {f['fault']} ({f['seconds']} s) | {f['pages_ok_inside']}/{f['pages_inside']}"
                f" | {f['friendly_503_inside']} | {f['errors_inside']} / {f['errors_outside']} |"
                f" {f['lost_plays']}/{f['plays']} lost, {f['doubled_plays']} doubled |"
                f" {f['lost_payments']}/{f['payments']} lost, {f['doubled_payments']} doubled |"
                f" {f['stuck_uploads']} / {f['failed_uploads']} of {f['uploads']} |"
                f" {'yes' if f['ledger_ok'] else 'NO'} |"
                f" {'YES' if f['lost_plays'] or f['stuck_uploads'] or f['lost_payments'] else 'no'}"
                f"{restarted(f)} |"
            )
    return "\n".join(lines) + "\n"


def main(config: Config | None = None, *, soak: bool = True, faults: bool = True) -> dict:
    config = config or Config.from_env()
    # Stopped by a timeout or Ctrl-C: the stack's processes are stopped all the same.
    signal.signal(signal.SIGTERM, lambda *args: sys.exit(1))
    load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
    with Stack(web_workers=config.web_workers, keep=bool(os.getenv("LOAD_KEEP"))) as stack:
        seed = stack.dir / "seed.json"
        done = subprocess.run(
            [BIN / "python", "-m", "tests.load.seed", seed, json.dumps(config.seed)],
            cwd=BASE_DIR,
            env={**stack.env, "PYTHONPATH": str(BASE_DIR)},
            capture_output=True,
            text=True,
            timeout=600,
        )
        if done.returncode:
            raise StackError(f"seeding failed:\n{done.stdout}\n{done.stderr}")
        django_setup(stack)
        from tests.audio_files import audio_file

        upload = audio_file("flac", seconds=3)
        wait_until(lambda: stack.rss().get("worker"), what="worker")
        run = Run(config, stack, seed, upload)
        try:
            run.steps()
            if soak:
                run.soak()
            if faults:
                run.faults()
        finally:
            run.figures["load_before"] = load_before
            run.figures["logs"] = str(stack.logs)
            run.figures["restarts"] = dict(stack.restarts)
            text = report(run.figures)
            print(text, flush=True)
            config.results.parent.mkdir(parents=True, exist_ok=True)
            config.results.write_text(text)
            config.results.with_suffix(".json").write_text(
                json.dumps({**run.figures, "config": asdict(config)}, default=str, indent=1)
            )
    return run.figures


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
