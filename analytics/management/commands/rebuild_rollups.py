"""Rebuild every rollup from raw data: plays, referrers, listeners, follows / saves / adds."""

import time
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from analytics.rebuild import Step, rebuild_rollups


class Command(BaseCommand):
    help = (
        "Rebuild PlayRollup, ReferrerRollup, listener counts (and sketches) and follows / saves"
        " / playlist adds per day from the raw tables, printing how long each step took."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--since",
            help="Only rebuild days from this one on (YYYY-MM-DD, UTC); earlier days stay.",
        )

    def handle(self, *args, since=None, **options):
        try:
            start = date.fromisoformat(since) if since else None
        except ValueError as exc:
            raise CommandError(f"--since must be a date like 2026-11-01, not {since!r}") from exc

        def report(step: Step) -> None:
            self.stdout.write(f"{step.name:<38} {step.rows:>12,} rows {step.seconds:>8.2f} s")

        self.stdout.write("Rebuilding rollups" + (f" from {start}" if start else "") + " …")
        started = time.perf_counter()
        rebuild_rollups(since=start, report=report)
        total = time.perf_counter() - started
        self.stdout.write(self.style.SUCCESS(f"{'done (wall time)':<38} {'':>17} {total:>8.2f} s"))
