"""The sweep: events whose task gave up are queued again with a doubling backoff, at most
WEBHOOK_SWEEP_LIMIT times; the rest are left, flagged, for an admin."""

import datetime

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import timezone

from payments import tasks, webhooks
from payments.models import WebhookEvent

pytestmark = pytest.mark.django_db
MINUTE = datetime.timedelta(minutes=1)


class Flaky:
    """A handler that fails `failures` times, then succeeds."""

    def __init__(self, failures: int) -> None:
        self.failures, self.calls = failures, 0

    def __call__(self, event) -> None:
        self.calls += 1
        if self.calls <= self.failures:
            raise ConnectionError("Stripe cannot be reached")


@pytest.fixture
def handler(monkeypatch):
    def install(failures: int) -> Flaky:
        flaky = Flaky(failures)
        monkeypatch.setitem(webhooks.HANDLERS, "backstage.flaky", flaky)
        return flaky

    return install


def failed_event(n: int = 1, *, ago: datetime.timedelta, sweeps: int = 0) -> WebhookEvent:
    """An event whose task ran out of retries `ago`."""
    return WebhookEvent.objects.create(
        stripe_id=f"evt_sweep_{n}",
        type="backstage.flaky",
        payload={
            "id": f"evt_sweep_{n}",
            "object": "event",
            "type": "backstage.flaky",
            "data": {"object": {"id": f"obj_{n}", "object": "thing"}},
        },
        attempts=6 * (sweeps + 1),
        last_error="ConnectionError('Stripe cannot be reached')",
        last_attempt_at=timezone.now() - ago,
        sweeps=sweeps,
    )


def sweep(capture) -> list[int]:
    with capture(execute=True):
        return webhooks.sweep_failed_events()


def test_an_event_whose_retries_ran_out_is_processed_by_the_sweep(
    handler, django_capture_on_commit_callbacks
):
    flaky = handler(failures=0)  # Stripe is back
    event = failed_event(ago=11 * MINUTE)

    assert sweep(django_capture_on_commit_callbacks) == [event.id]

    event.refresh_from_db()
    assert event.processed_at is not None and event.last_error == ""
    assert (flaky.calls, event.sweeps, event.attempts) == (1, 1, 7)
    assert sweep(django_capture_on_commit_callbacks) == []  # processed: never again


def test_an_event_is_not_swept_before_its_backoff_and_the_backoff_doubles(
    handler, django_capture_on_commit_callbacks
):
    flaky = handler(failures=100)  # still down
    fresh = failed_event(1, ago=9 * MINUTE)  # a task may still be retrying it
    once = failed_event(2, ago=15 * MINUTE, sweeps=1)  # swept once: waits 20 minutes
    due = failed_event(3, ago=21 * MINUTE, sweeps=1)

    queued = sweep(django_capture_on_commit_callbacks)

    assert queued == [due.id]
    fresh.refresh_from_db(), once.refresh_from_db(), due.refresh_from_db()
    assert (fresh.sweeps, once.sweeps, due.sweeps) == (0, 1, 2)
    assert flaky.calls == 6  # the queued task ran with its own retries, and failed again
    assert due.processed_at is None and "cannot be reached" in due.last_error
    assert sweep(django_capture_on_commit_callbacks) == []  # due again in 40 minutes
    assert webhooks.sweep_backoff(2) == 40 * MINUTE


def test_an_event_whose_task_was_lost_is_swept_from_when_it_arrived(
    handler, django_capture_on_commit_callbacks
):
    handler(failures=0)
    lost = WebhookEvent.objects.create(
        stripe_id="evt_lost", type="backstage.flaky", payload={"id": "evt_lost"}
    )
    WebhookEvent.objects.filter(id=lost.id).update(received_at=timezone.now() - 11 * MINUTE)

    assert sweep(django_capture_on_commit_callbacks) == [lost.id]
    lost.refresh_from_db()
    assert lost.processed_at is not None


def test_after_the_last_sweep_an_event_is_left_flagged_for_the_admin(
    handler, settings, staff_client, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_SWEEP_LIMIT = 3
    handler(failures=100)
    given_up = failed_event(1, ago=30 * 24 * 60 * MINUTE, sweeps=3)
    retrying = failed_event(2, ago=1 * MINUTE, sweeps=1)

    assert sweep(django_capture_on_commit_callbacks) == []

    given_up.refresh_from_db()
    assert given_up.sweeps == 3 and given_up.given_up and not retrying.given_up
    page = staff_client.get(
        reverse("admin:payments_webhookevent_changelist"), {"failed": "given_up"}
    ).text
    assert "evt_sweep_1" in page and "evt_sweep_2" not in page


def test_the_sweep_runs_every_five_minutes(monkeypatch):
    entry = django_settings.CELERY_BEAT_SCHEDULE["payments-sweep-webhooks"]
    called = []
    monkeypatch.setattr(webhooks, "sweep_failed_events", lambda: called.append(True))

    tasks.sweep_failed_webhooks()

    assert (entry["task"], entry["schedule"]) == (tasks.sweep_failed_webhooks.name, 300.0)
    assert called == [True]
