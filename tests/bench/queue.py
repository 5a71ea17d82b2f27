"""Moderation queue benchmark: the admin's report list with thousands of reports, and acting
on a report that closes many others.

Runs on a throwaway embedded default (SQLite in a temporary VAR_DIR, Celery eager), so it needs
no server. Makes TRACKS tracks with a timed comment each and REPORTS reports spread over them
(bulk_create, every other one open, ages from minutes to weeks), then loads the queue page
(100 rows) with Django's test client as staff: unfiltered, open only, open + older than 7 days.
Then takes down a track that has SIBLINGS open reports from different people (all closed, each
reporter e-mailed once, through the locmem mail backend). Prints p50/p95 and query counts.
Target: queue p95 ≤ 150 ms, the same number of queries at 100 and at REPORTS reports.

    .venv/bin/python -m tests.bench.queue
"""

import os
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from tests.bench.pipeline import _configure, _django
from tests.bench.webhooks import percentile

TRACKS = 500
REPORTS = 5_000
SIBLINGS = 200
LOADS = 30
TARGET_P95_MS = 150


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="backstage-bench-") as tmp:
        _configure(Path(tmp) / "var")
        _django()
        from django.conf import settings
        from django.contrib.contenttypes.models import ContentType
        from django.core import mail
        from django.core.management import call_command
        from django.db import connection
        from django.test import Client, override_settings
        from django.test.utils import CaptureQueriesContext
        from django.utils import timezone

        from artists.models import Artist
        from backstage.models import User
        from moderation import services
        from moderation.models import Report
        from radio.models import TimedComment
        from tracks.models import Track

        # The admin's CSS without a collectstatic manifest (pages are timed, not their assets).
        override_settings(
            MAILERS={"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}},
            STORAGES={
                **settings.STORAGES,
                "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
            },
        ).enable()
        mail.outbox = []
        call_command("migrate", verbosity=0)
        staff = User.objects.create(username="staff", email="s@example.com", is_staff=True)
        staff.is_superuser = True
        staff.save()
        owner = User.objects.create(username="owner", email="o@example.com")
        artist = Artist.objects.create(user=owner, name="Owner", slug="owner")
        tracks = Track.objects.bulk_create(
            Track(artist=artist, title=f"T{n}", status="ready", public_id=f"bench{n:06d}")
            for n in range(TRACKS)
        )
        comments = TimedComment.objects.bulk_create(
            TimedComment(track=t, author=owner, at_seconds=1, body="x") for t in tracks
        )
        kinds = [
            (ContentType.objects.get_for_model(Track), tracks),
            (ContentType.objects.get_for_model(TimedComment), comments),
        ]
        now = timezone.now()

        def make(count: int, start: int = 0) -> None:
            rows = []
            for n in range(start, start + count):
                content_type, things = kinds[n % 2]
                rows.append(
                    Report(
                        target_type=content_type,
                        target_id=things[n % TRACKS].pk,
                        target_label=f"bench {n}",
                        category="spam",
                        reporter_email=f"r{n}@example.com",
                        status="open" if n // 2 % 2 else "dismissed",
                    )
                )
            made = Report.objects.bulk_create(rows)
            for n, report in enumerate(made):  # ages from minutes to 20 days
                report.created_at = now - timedelta(minutes=(start + n) * 7 % 28_800)
            Report.objects.bulk_update(made, ["created_at"])

        client = Client()
        client.force_login(staff)

        def load(query: str = "") -> tuple[float, float, int]:
            took = []
            for _ in range(LOADS):
                started = time.perf_counter()
                response = client.get(f"/admin/moderation/report/{query}", secure=True)
                took.append(time.perf_counter() - started)
                assert response.status_code == 200, (response.status_code, response.get("Location"))
            with CaptureQueriesContext(connection) as captured:
                client.get(f"/admin/moderation/report/{query}", secure=True)
            if os.getenv("BENCH_SQL"):
                for query in captured.captured_queries:
                    print(f"  {query['time']} s  {query['sql'][:150]}")
            return percentile(took, 0.5) * 1000, percentile(took, 0.95) * 1000, len(captured)

        make(100)
        _p50, _p95, few = load()
        make(REPORTS - 100, start=100)
        worst = 0.0
        for name, query in (
            ("queue, all", ""),
            ("queue, open", "?status__exact=open"),
            ("queue, open > 7 days", "?status__exact=open&age=older"),
        ):
            p50, p95, queries = load(query)
            worst = max(worst, p95)
            print(f"{name:<24} p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  {queries} queries")
        _p50, _p95, many = load()
        print(f"queries for the list: {few} at 100 reports, {many} at {REPORTS:,}")

        target = tracks[0]
        for n in range(SIBLINGS):
            Report.objects.create(
                target_type=kinds[0][0],
                target_id=target.pk,
                target_label="sibling",
                category="copyright",
                reporter_email=f"s{n}@example.com",
            )
        first = Report.objects.filter(target_id=target.pk, target_type=kinds[0][0], status="open")
        started = time.perf_counter()
        closed = services.act_on_report(
            report=first.first(), action="take_down", actor=staff, note="Bench"
        )
        took = (time.perf_counter() - started) * 1000
        print(
            f"take down with {closed} open reports: {took:.0f} ms "
            f"(closing them and e-mailing {len(mail.outbox)} reporters, eager Celery)"
        )
        met = "met" if worst <= TARGET_P95_MS and few == many else "MISSED"
        print(f"target queue p95 ≤ {TARGET_P95_MS} ms and constant queries: {met}")


if __name__ == "__main__":
    main()
