"""Payouts and failed webhooks in the admin: look, run payouts now, retry; never edit."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from payments import payouts, tasks
from payments.models import Payout, WebhookEvent
from tests.payments.paying_out import onboard, sell
from tests.payments.scenarios import assert_books_balance

pytestmark = pytest.mark.usefixtures("payments_settings")

CHANGELIST = "admin:payments_payout_changelist"


@pytest.fixture
def staff(admin_user):
    """An admin's browser, apart from the fan's (`client`)."""
    browser = Client()
    browser.force_login(admin_user)
    return browser


def test_staff_retry_a_pending_payout_and_it_is_sent_once(
    staff, fan_client, artist, sandbox, receiver, monkeypatch
):
    onboard(sandbox, artist)
    sell(fan_client, receiver, artist, "20.00", token="sale-one-token-000000000")
    real = payouts._create_transfer
    monkeypatch.setattr(payouts, "_create_transfer", lambda payout: 1 / 0)
    [payout] = payouts.run_payouts()
    assert payout.status == "pending"
    monkeypatch.setattr(payouts, "_create_transfer", real)

    page = staff.get(reverse(CHANGELIST))
    assert page.status_code == 200
    assert "€16.12" in page.text and "Run payouts now" in page.text
    answer = staff.post(
        reverse(CHANGELIST),
        {"action": "retry_payouts", "_selected_action": [payout.id]},
        follow=True,
    )

    assert "1 of 1 payout(s) sent." in answer.text
    payout.refresh_from_db()
    assert payout.status == "sent"
    assert len(sandbox.store.find("transfer")) == 1


def test_retrying_a_failed_payout_pays_its_money_in_a_new_one(
    staff, fan_client, artist, sandbox, receiver
):
    onboard(sandbox, artist)
    sell(fan_client, receiver, artist, "20.00", token="sale-one-token-000000000")
    account = sandbox.store.get(artist.connected_account.stripe_account_id, "account")
    account["payouts_enabled"] = False
    [failed] = payouts.run_payouts()
    assert failed.status == "failed"
    account["payouts_enabled"] = True  # the artist fixed it on Stripe

    answer = staff.post(
        reverse(CHANGELIST),
        {"action": "retry_payouts", "_selected_action": [failed.id]},
        follow=True,
    )

    assert "1 of 1 payout(s) sent." in answer.text
    failed.refresh_from_db()
    assert failed.status == "failed"  # its money went back to the balance, then out again
    [sent] = Payout.objects.filter(status="sent")
    assert (sent.amount, sent.artist) == (1612, artist)
    assert len(sandbox.store.find("transfer")) == 1
    assert_books_balance(artist)


def test_a_payout_cannot_be_edited_in_the_admin(staff, fan_client, artist, sandbox, receiver):
    onboard(sandbox, artist)
    sell(fan_client, receiver, artist, "20.00", token="sale-one-token-000000000")
    [payout] = payouts.run_payouts()

    page = staff.get(reverse("admin:payments_payout_change", args=[payout.id]))
    assert page.status_code == 200
    assert 'name="_save"' not in page.text
    staff.post(
        reverse("admin:payments_payout_change", args=[payout.id]), {"amount": 1, "status": "failed"}
    )
    payout.refresh_from_db()
    assert (payout.amount, payout.status) == (1612, "sent")


def test_run_payouts_now_queues_the_task(staff, fan_client, artist, sandbox, receiver, monkeypatch):
    onboard(sandbox, artist)
    sell(fan_client, receiver, artist, "20.00", token="sale-one-token-000000000")
    [payout] = payouts.run_payouts()
    queued = []
    monkeypatch.setattr(tasks.run_payouts, "delay", lambda: queued.append(True))

    answer = staff.post(
        reverse(CHANGELIST),
        {"action": "run_payouts_now", "_selected_action": [payout.id]},
        follow=True,
    )
    assert "Payouts are running." in answer.text
    assert queued == [True]


def test_run_payouts_now_needs_no_selection_for_the_first_run(
    staff, fan_client, artist, sandbox, receiver, monkeypatch
):
    onboard(sandbox, artist)
    sell(fan_client, receiver, artist, "20.00", token="sale-one-token-000000000")
    monkeypatch.setattr(tasks.run_payouts, "delay", lambda: payouts.run_payouts())
    assert Payout.objects.count() == 0

    answer = staff.post(reverse(CHANGELIST), {"action": "run_payouts_now"}, follow=True)

    assert "Payouts are running." in answer.text
    [payout] = Payout.objects.all()
    assert (payout.artist, payout.amount, payout.status) == (artist, 1612, "sent")


def test_the_empty_payout_list_has_a_run_payouts_now_button_that_pays(
    staff, fan_client, artist, sandbox, receiver, monkeypatch
):
    onboard(sandbox, artist)
    sell(fan_client, receiver, artist, "20.00", token="sale-one-token-000000000")
    monkeypatch.setattr(tasks.run_payouts, "delay", lambda: payouts.run_payouts())

    listed = staff.get(reverse(CHANGELIST))
    answer = staff.post(reverse("admin:payments_payout_run"), follow=True)

    assert "0 payouts" in listed.text and "Run payouts now</button>" in listed.text
    assert "Payouts are running." in answer.text
    [payout] = Payout.objects.all()
    assert (payout.amount, payout.status) == (1612, "sent")
    assert_books_balance(artist)


def test_the_run_button_takes_a_post_from_staff_only(staff, client, fan, monkeypatch):
    queued = []
    monkeypatch.setattr(tasks.run_payouts, "delay", lambda: queued.append(True))
    url = reverse("admin:payments_payout_run")
    client.force_login(fan)

    assert staff.get(url).status_code == 405
    answer = client.post(url)
    assert answer.status_code == 302 and "/admin/login/" in answer["Location"]
    assert queued == []


def test_failed_webhooks_are_listed_and_can_be_retried(staff, monkeypatch):
    failed = WebhookEvent.objects.create(
        stripe_id="evt_failed", type="charge.refunded", payload={}, last_error="<b>boom</b>"
    )
    WebhookEvent.objects.create(stripe_id="evt_fine", type="charge.refunded", payload={})
    queued = []
    monkeypatch.setattr(tasks.process_webhook_event, "delay", queued.append)
    url = reverse("admin:payments_webhookevent_changelist")

    page = staff.get(url + "?failed=yes")
    assert "evt_failed" in page.text and "evt_fine" not in page.text
    assert "<b>boom</b>" not in page.text  # escaped
    answer = staff.post(
        url, {"action": "retry_events", "_selected_action": [failed.id]}, follow=True
    )
    assert "1 event(s) queued again." in answer.text
    assert queued == [failed.id]


def test_the_payout_list_costs_the_same_queries_for_many_payouts(staff):
    from tests.factories import ArtistFactory

    def shown(count):
        for _ in range(count):
            Payout.objects.create(artist=ArtistFactory(), amount=1234, currency="eur")
        with CaptureQueriesContext(connection) as queries:
            page = staff.get(reverse(CHANGELIST))
        assert page.status_code == 200
        return len(queries)

    assert shown(2) == shown(10)
    assert "€12.34" in staff.get(reverse(CHANGELIST)).text
