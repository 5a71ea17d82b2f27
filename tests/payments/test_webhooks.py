"""POST /payments/webhook: only Stripe's signed events, each recorded once and processed once."""

import json
import time

import pytest
from django.test import Client

from payments import webhooks
from payments.connect import ensure_connected_account
from payments.models import ConnectedAccount, WebhookEvent
from payments.sandbox.accounts import finish_onboarding
from payments.sandbox.webhooks import sign
from payments.stripe_api import embedded_sandbox

from .conftest import WEBHOOK_SECRET

pytestmark = pytest.mark.django_db

URL = "/payments/webhook"


def event_body(type="test.unknown", id="evt_test_1", obj=None) -> str:
    return json.dumps(
        {
            "id": id,
            "object": "event",
            "api_version": "2026-10-28.endive",
            "created": int(time.time()),
            "data": {"object": obj or {"id": "obj_1", "object": "thing"}},
            "livemode": False,
            "pending_webhooks": 1,
            "request": {"id": None, "idempotency_key": None},
            "type": type,
        }
    )


def post(client, body: str | bytes, signature: str | None, capture=None):
    headers = {"Stripe-Signature": signature} if signature is not None else {}
    if capture is None:
        return client.post(URL, data=body, content_type="application/json", headers=headers)
    with capture(execute=True):
        return client.post(URL, data=body, content_type="application/json", headers=headers)


def signed(body: str, secret: str = WEBHOOK_SECRET, at: int | None = None) -> str:
    return sign(body, secret, int(time.time()) if at is None else at)


def assert_refused(response, message: str, *, recorded_before: int = 0) -> None:
    assert response.status_code == 400
    assert message in response.content.decode()
    assert WebhookEvent.objects.count() == recorded_before


def test_it_refuses_an_unsigned_event(client):
    assert_refused(post(client, event_body(), None), "Missing Stripe-Signature header.")


def test_it_refuses_an_empty_signature(client):
    assert_refused(post(client, event_body(), ""), "Missing Stripe-Signature header.")


def test_it_refuses_another_secret(client):
    body = event_body()
    assert_refused(post(client, body, signed(body, "whsec_someone_else")), "Bad signature")


def test_it_refuses_a_changed_body(client):
    body = event_body()
    tampered = body.replace("test.unknown", "account.updated")
    assert_refused(post(client, tampered, signed(body)), "Bad signature")


def test_it_refuses_a_stale_timestamp(client):
    body = event_body()
    ten_minutes_ago = int(time.time()) - 600  # the library's tolerance is 5 minutes
    assert_refused(post(client, body, signed(body, at=ten_minutes_ago)), "Bad signature")


def test_it_refuses_a_garbled_signature_header(client):
    assert_refused(post(client, event_body(), "t=abc,v1=<script>"), "Bad signature")


@pytest.mark.parametrize(
    "body",
    [
        "{not json",
        "[]",
        "null",
        '"evt_1"',
        '{"id": "evt_1"}',
        '{"type": "x"}',
        '{"id": 5, "type": "x"}',
    ],
)
def test_it_refuses_a_signed_body_that_is_not_an_event(client, body):
    response = post(client, body, signed(body))
    assert response.status_code == 400
    assert not WebhookEvent.objects.exists()


def test_it_refuses_a_signed_body_that_is_not_utf8(client):
    body = b'{"id": "evt_\xff", "type": "x"}'
    signature = sign(body.decode("latin-1"), WEBHOOK_SECRET, int(time.time()))
    assert_refused(post(client, body, signature), "The body is not a JSON event.")


def test_it_refuses_an_oversized_body(client):
    body = event_body(obj={"id": "obj_1", "blob": "x" * (3 * 1024 * 1024)})
    response = post(client, body, signed(body))
    assert response.status_code == 400
    assert not WebhookEvent.objects.exists()


def test_it_answers_only_posts(client):
    assert client.get(URL).status_code == 405
    assert not WebhookEvent.objects.exists()


def test_it_needs_no_csrf_token_since_stripe_signs(django_capture_on_commit_callbacks):
    client = Client(enforce_csrf_checks=True)
    body = event_body()
    assert post(client, body, signed(body), django_capture_on_commit_callbacks).status_code == 200


def test_an_unknown_type_is_recorded_and_marked_processed(
    client, django_capture_on_commit_callbacks
):
    body = event_body(type="<b>shiny.new</b>", id="evt_unknown")
    response = post(client, body, signed(body), django_capture_on_commit_callbacks)
    assert response.status_code == 200
    event = WebhookEvent.objects.get()
    assert (event.stripe_id, event.type, event.attempts, event.last_error) == (
        "evt_unknown",
        "<b>shiny.new</b>",
        1,
        "",
    )
    assert event.processed_at is not None
    assert event.payload["data"]["object"]["id"] == "obj_1"


def test_an_account_that_is_not_ours_changes_nothing(client, django_capture_on_commit_callbacks):
    body = event_body(type="account.updated", obj={"id": "acct_not_ours", "object": "account"})
    response = post(client, body, signed(body), django_capture_on_commit_callbacks)
    assert response.status_code == 200
    assert WebhookEvent.objects.get().processed_at is not None
    assert not ConnectedAccount.objects.exists()


def test_a_duplicate_is_recorded_and_processed_once(
    client, django_capture_on_commit_callbacks, monkeypatch
):
    calls = []
    monkeypatch.setitem(webhooks.HANDLERS, "test.counted", calls.append)
    body = event_body(type="test.counted", id="evt_dup")
    for _ in range(3):
        response = post(client, body, signed(body), django_capture_on_commit_callbacks)
        assert response.status_code == 200
    assert len(calls) == 1
    assert calls[0].id == "evt_dup"
    assert WebhookEvent.objects.get().attempts == 1


def test_a_processed_event_is_never_run_again(client, django_capture_on_commit_callbacks):
    body = event_body()
    post(client, body, signed(body), django_capture_on_commit_callbacks)
    row = WebhookEvent.objects.get()
    webhooks.process_event(event_row_id=row.id)  # a second delivery of the task
    row.refresh_from_db()
    assert row.attempts == 1


def test_a_failing_handler_writes_nothing_and_keeps_the_error(artist, monkeypatch):
    def half_then_fail(event):
        ConnectedAccount.objects.create(artist=artist, stripe_account_id="acct_half")
        raise RuntimeError("Stripe did not answer")

    monkeypatch.setitem(webhooks.HANDLERS, "test.failing", half_then_fail)
    body = event_body(type="test.failing")
    row, created = webhooks.receive_event(payload=body.encode(), signature=signed(body))
    assert created
    with pytest.raises(RuntimeError):
        webhooks.process_event(event_row_id=row.id)
    row.refresh_from_db()
    assert (row.attempts, row.processed_at) == (1, None)
    assert row.last_error == "RuntimeError('Stripe did not answer')"
    assert not ConnectedAccount.objects.exists()

    monkeypatch.setitem(webhooks.HANDLERS, "test.failing", lambda event: None)
    webhooks.process_event(event_row_id=row.id)  # the task's retry
    row.refresh_from_db()
    assert (row.attempts, row.last_error) == (2, "")
    assert row.processed_at is not None


def test_a_type_has_one_handler():
    with pytest.raises(ValueError, match=r"account\.updated already has a handler"):
        webhooks.register("account.updated")(lambda event: None)


def onboarding_events(artist) -> tuple[str, str]:
    """Two account.updated events from the sandbox: details submitted, then completed."""
    account = ensure_connected_account(artist=artist)
    sandbox = embedded_sandbox()
    with sandbox.store.lock:
        finish_onboarding(sandbox.webhooks, account_id=account.stripe_account_id, complete=False)
        finish_onboarding(sandbox.webhooks, account_id=account.stripe_account_id, complete=True)
    first, second = (sandbox.store.objects[event_id] for event_id in sandbox.store.events)
    assert first["data"]["object"]["payouts_enabled"] is False
    assert second["data"]["object"]["payouts_enabled"] is True
    return json.dumps(first), json.dumps(second)


def test_duplicates_out_of_order_end_in_stripes_present_state(
    client, artist, django_capture_on_commit_callbacks
):
    first, second = onboarding_events(artist)
    # The newer event first, the stale snapshot last, each three times.
    for body in (second, first, second, first, first, second):
        response = post(client, body, signed(body), django_capture_on_commit_callbacks)
        assert response.status_code == 200
    account = ConnectedAccount.objects.get(artist=artist)
    assert account.payouts_ready
    assert account.currently_due == []
    assert WebhookEvent.objects.count() == 2
    assert set(WebhookEvent.objects.values_list("attempts", flat=True)) == {1}


def test_a_stale_snapshot_alone_cannot_turn_payouts_off(
    client, artist, django_capture_on_commit_callbacks
):
    first, _ = onboarding_events(artist)
    post(client, first, signed(first), django_capture_on_commit_callbacks)
    # The snapshot says payouts are off; the account, re-fetched, says on.
    assert ConnectedAccount.objects.get(artist=artist).payouts_ready


def test_a_snapshot_alone_cannot_turn_payouts_on(
    client, artist, django_capture_on_commit_callbacks
):
    account = ensure_connected_account(artist=artist)
    forged = event_body(
        type="account.updated",
        id="evt_forged_snapshot",
        obj={
            "id": account.stripe_account_id,
            "object": "account",
            "details_submitted": True,
            "charges_enabled": True,
            "payouts_enabled": True,
            "requirements": {"currently_due": []},
        },
    )
    post(client, forged, signed(forged), django_capture_on_commit_callbacks)
    account.refresh_from_db()
    assert not account.payouts_ready
    assert "external_account" in account.currently_due


def test_staff_see_events_and_accounts_escaped_and_read_only(
    staff_client, artist, django_assert_max_num_queries
):
    for n in range(5):
        WebhookEvent.objects.create(stripe_id=f"evt_{n}", type="<script>x</script>", payload={})
    ConnectedAccount.objects.create(artist=artist, stripe_account_id="acct_admin")
    with django_assert_max_num_queries(8):
        page = staff_client.get("/admin/payments/webhookevent/")
    assert page.status_code == 200
    assert "&lt;script&gt;x&lt;/script&gt;" in page.text
    assert "<script>x</script>" not in page.text
    page = staff_client.get("/admin/payments/connectedaccount/")
    assert "acct_admin" in page.text
    assert staff_client.get("/admin/payments/webhookevent/add/").status_code == 403


def test_it_takes_either_of_two_secrets(client, settings, django_capture_on_commit_callbacks):
    """Stripe signs connected accounts' events with the Connect endpoint's own secret."""
    settings.STRIPE_WEBHOOK_SECRET = f"{WEBHOOK_SECRET}, whsec_connect_endpoint"
    for n, secret in enumerate((WEBHOOK_SECRET, "whsec_connect_endpoint")):
        body = event_body(id=f"evt_secret_{n}")
        response = post(client, body, signed(body, secret), django_capture_on_commit_callbacks)
        assert response.status_code == 200
    body = event_body(id="evt_third")
    response = post(client, body, signed(body, "whsec_third"))
    assert_refused(response, "Bad signature", recorded_before=2)


def test_a_signed_event_whose_object_has_no_id_is_closed_as_malformed_at_once(
    client, django_capture_on_commit_callbacks
):
    body = event_body(type="charge.refunded", obj={"object": "charge"})
    response = post(client, body, signed(body), capture=django_capture_on_commit_callbacks)

    assert response.status_code == 200
    row = WebhookEvent.objects.get()
    assert row.processed_at is not None  # not left for the sweep to retry for ~42 hours
    assert row.last_error.startswith("Malformed: the event's object has no id")
    assert row.attempts == 1


@pytest.mark.django_db(transaction=True)  # on_commit runs inside the request, as in production
def test_an_event_recorded_while_the_task_queue_is_down_is_processed_on_redelivery(
    client, monkeypatch
):
    """Redis down when the event arrives: Stripe gets a 503 (so it delivers again), the event
    is kept, and the redelivery once Redis is back queues it, rather than the sweep much later."""
    from kombu.exceptions import OperationalError

    from payments import tasks

    calls = []
    monkeypatch.setitem(webhooks.HANDLERS, "test.counted", calls.append)
    queue = tasks.process_webhook_event.delay

    def unreachable(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.process_webhook_event, "delay", unreachable)
    body = event_body(type="test.counted", id="evt_while_down")
    response = post(client, body, signed(body))
    assert response.status_code == 503
    assert "Retry-After" in response.headers
    assert WebhookEvent.objects.get().processed_at is None
    assert calls == []

    monkeypatch.setattr(tasks.process_webhook_event, "delay", queue)
    for _ in range(2):  # Stripe's retry, then a stray duplicate: the handler runs once
        response = post(client, body, signed(body))
        assert response.status_code == 200
    assert [event.id for event in calls] == ["evt_while_down"]
    assert WebhookEvent.objects.get().processed_at is not None
