"""Webhook benchmark: signed account.updated events through POST /payments/webhook.

Runs on a throwaway embedded default (SQLite in a temporary VAR_DIR, Celery eager, the Stripe
sandbox in-process and in memory), so it needs no server. Makes ARTISTS artists with connected
accounts (each a real `accounts.create` through the stripe library, answered in-process),
finishes their onboarding in the sandbox, then POSTs every account.updated event, signed, to the
webhook view with Django's test client: verification, the WebhookEvent row, the task run on
commit, the handler re-fetching the account and saving it. Then each event again (duplicates).
Reports p50/p95 per request and events per second. Target: p95 ≤ 50 ms for a new event.

    .venv/bin/python -m tests.bench.webhooks
"""

import os
import tempfile
import time
from pathlib import Path

from tests.bench.pipeline import _configure, _django

ARTISTS = 300
TARGET_P95_MS = 50


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def timed_posts(client, bodies: list[str]) -> list[float]:
    from payments.sandbox.webhooks import sign

    secret = os.environ["STRIPE_WEBHOOK_SECRET"]
    took = []
    for body in bodies:
        started = time.perf_counter()
        response = client.post(
            "/payments/webhook",
            data=body,
            content_type="application/json",
            headers={"Stripe-Signature": sign(body, secret, int(time.time()))},
            secure=True,
        )
        took.append(time.perf_counter() - started)
        assert response.status_code == 200, response.content
    return took


def report(name: str, took: list[float]) -> float:
    p50, p95 = percentile(took, 0.5) * 1000, percentile(took, 0.95) * 1000
    rate = len(took) / sum(took)
    print(f"{name:<28} p50 {p50:6.1f} ms   p95 {p95:6.1f} ms   {rate:6.0f} events/s")
    return p95


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="backstage-bench-") as tmp:
        _configure(Path(tmp) / "var")
        os.environ.update(STRIPE_SANDBOX_STATE="", STRIPE_WEBHOOK_SECRET="whsec_bench")
        _django()
        import json

        from django.core.management import call_command
        from django.test import Client

        from artists.models import Artist
        from backstage.models import User
        from payments.connect import ensure_connected_account
        from payments.models import ConnectedAccount
        from payments.sandbox import Sandbox
        from payments.sandbox.accounts import finish_onboarding
        from payments.stripe_api import reset_embedded_sandbox

        call_command("migrate", verbosity=0)
        sandbox = Sandbox(webhook_secret="whsec_bench")  # events kept, not sent anywhere
        reset_embedded_sandbox(sandbox)

        creating = []
        for n in range(ARTISTS):
            user = User.objects.create(username=f"a{n}", email=f"a{n}@example.com", password="!")
            artist = Artist.objects.create(user=user, name=f"Artist {n}", slug=f"artist-{n}")
            started = time.perf_counter()
            account = ensure_connected_account(artist=artist)
            creating.append(time.perf_counter() - started)
            with sandbox.store.lock:
                finish_onboarding(
                    sandbox.webhooks, account_id=account.stripe_account_id, complete=True
                )
        p50 = percentile(creating, 0.5) * 1000
        print(f"{'connected account (in-proc)':<28} p50 {p50:6.1f} ms   ({ARTISTS} accounts)")

        bodies = [json.dumps(sandbox.store.objects[event_id]) for event_id in sandbox.store.events]
        client = Client()
        p95 = report("new event", timed_posts(client, bodies))
        report("duplicate event", timed_posts(client, bodies))
        ready = sum(account.payouts_ready for account in ConnectedAccount.objects.all())
        assert ready == ARTISTS, f"{ready} of {ARTISTS} accounts ready"
        met = "met" if p95 <= TARGET_P95_MS else "MISSED"
        print(f"target p95 ≤ {TARGET_P95_MS} ms for a new event: {met}")


if __name__ == "__main__":
    main()
