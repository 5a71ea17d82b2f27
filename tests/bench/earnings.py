"""Earnings benchmark: the earnings page, a month's statement and its CSV for a busy artist.

A throwaway PostgreSQL database (`backstage_bench_earnings`, dropped after): SALES sales over 12
months among 50 artists, a quarter of them the measured artist's, half of those split with a
collaborator (two artist entries); each sale a real ledger transaction (four or five entries)
and its Payment, bulk-written. Then each page is timed in-process with Django's test client, as
the artist, REPEATS times. Target: p95 ≤ 100 ms, as the stats dashboard.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/backstage \
        .venv/bin/python -m tests.bench earnings
"""

import datetime
import os
import time
from unittest import mock

from tests.bench.dashboard import counting
from tests.bench.search import admin_execute, database_url, percentile

DB = "backstage_bench_earnings"
SALES = int(os.getenv("BENCH_SALES", "100000"))
REPEATS = 20
TARGET_P95_MS = 100.0


def seed() -> None:
    from artists.models import Artist
    from backstage.models import User
    from payments import ledger
    from payments.models import LedgerAccount, LedgerEntry, LedgerTransaction, Payment
    from tracks.models import Release

    Kind = LedgerAccount.Kind
    fan = User.objects.create(username="fan", email="fan@example.com")
    artists = []
    for n in range(50):
        user = User.objects.create(username=f"artist{n}", email=f"a{n}@example.com")
        artists.append(Artist.objects.create(user=user, name=f"Artist {n}", slug=f"artist-{n}"))
    release = Release.objects.create(artist=artists[0], title="Busy")
    accounts = {
        a.pk: ledger.get_account(kind=Kind.ARTIST_BALANCE, currency="eur", artist=a)
        for a in artists
    }
    customer = ledger.get_account(kind=Kind.CUSTOMER_PAYMENTS, currency="eur")
    fees = ledger.get_account(kind=Kind.PROCESSOR_FEES, currency="eur")
    platform = ledger.get_account(kind=Kind.PLATFORM_REVENUE, currency="eur")
    per_month = SALES // 12
    for month in range(12):
        when = datetime.datetime(
            2025 + (month + 11) // 12, (month + 11) % 12 + 1, 15, tzinfo=datetime.UTC
        )
        numbers = range(month * per_month, (month + 1) * per_month)
        with mock.patch("django.utils.timezone.now", return_value=when):
            owners = [artists[0] if n % 4 == 0 else artists[1 + n % 49] for n in numbers]
            Payment.objects.bulk_create(
                Payment(kind="sale", status="paid", fan=fan, artist=owner, release=release,
                        amount=1000, currency="eur", form_token=f"t{n}",
                        payment_intent_id=f"pi_{n}")
                for n, owner in zip(numbers, owners, strict=True)
            )  # fmt: skip
            booked = LedgerTransaction.objects.bulk_create(
                LedgerTransaction(kind="sale", reference=f"pi_{n}", memo=f"Purchase {n}")
                for n in numbers
            )
            entries = []
            for n, owner, tx in zip(numbers, owners, booked, strict=True):
                lines = [(customer, -1000), (fees, 59), (platform, 150)]
                if owner == artists[0] and n % 8 == 0:  # split with artist 1
                    lines += [(accounts[owner.pk], 396), (accounts[artists[1].pk], 395)]
                else:
                    lines += [(accounts[owner.pk], 791)]
                entries += [
                    LedgerEntry(transaction=tx, account=account, amount=amount, currency="eur")
                    for account, amount in lines
                ]
            LedgerEntry.objects.bulk_create(entries, batch_size=5000)
    assert ledger.audit_ledger().problems == []


def timed(client, url: str) -> list[float]:
    took = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        assert client.get(url).status_code == 200, url
        took.append((time.perf_counter() - started) * 1000)
    return took


def main() -> None:
    admin_execute(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)', f'CREATE DATABASE "{DB}"')
    os.environ.update(DATABASE_URL=database_url(DB), DJANGO_SETTINGS_MODULE="backstage.settings")
    os.environ.pop("REDIS_URL", None)
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection
        from django.test import Client

        from artists.models import Artist
        from payments.models import LedgerEntry

        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        seed()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        entries = LedgerEntry.objects.count()
        took = time.perf_counter() - started
        print(f"  {SALES:,} sales, {entries:,} entries seeded in {took:.0f} s")
        artist = Artist.objects.get(slug="artist-0")
        client = Client()
        client.force_login(artist.user)
        worst = 0.0
        for name, url in (
            ("earnings page", "/studio/earnings/"),
            ("statement (HTML)", "/studio/earnings/statement/2026-03/"),
            ("statement (CSV)", "/studio/earnings/statement/2026-03.csv"),
        ):
            client.get(url)  # warm
            queries = []
            with connection.execute_wrapper(counting(queries)):
                client.get(url)
            took = timed(client, url)
            p50, p95 = percentile(took, 0.5), percentile(took, 0.95)
            worst = max(worst, p95)
            print(f"  {name:<18} {len(queries)} queries   p50 {p50:6.1f} ms   p95 {p95:6.1f} ms")
        verdict = "met" if worst <= TARGET_P95_MS else "MISSED"
        print(f"  target p95 ≤ {TARGET_P95_MS:.0f} ms: {verdict}")
    finally:
        from django.db import connections

        connections.close_all()
        admin_execute(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')


if __name__ == "__main__":
    main()
