"""The Stripe sandbox, driven through the official stripe library (and plain HTTP for the hosted
pages and test helpers), as Backstage's payment code will drive it."""

import json
import socket
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import stripe

from payments.sandbox import Sandbox
from payments.sandbox.objects import processing_fee
from payments.sandbox.server import start_in_thread
from tests.payments.conftest import WEBHOOK_SECRET

AUTH = {"Authorization": "Bearer sk_test_backstage"}


def onboarding_link(client, account_id):
    """The link's url, and the (page url, form) that submitting the hosted page posts."""
    link = client.v1.account_links.create(
        params={
            "account": account_id,
            "type": "account_onboarding",
            "refresh_url": "http://backstage.test/payouts/refresh",
            "return_url": "http://backstage.test/payouts/done",
        }
    )
    return link.url, link.url.split("?")[0], parse_qs(urlsplit(link.url).query)["link"][0]


def onboard(client, *, outcome="complete"):
    account = client.v1.accounts.create(params={"type": "express", "email": "mira@example.com"})
    _, page, token = onboarding_link(client, account.id)
    answer = requests.post(
        page, data={"link": token, "outcome": outcome}, allow_redirects=False, timeout=5
    )
    assert answer.status_code == 303
    return client.v1.accounts.retrieve(account.id)


def monthly_session(client, **extra):
    """A supporter plan checkout: 5.00 USD a month."""
    return client.v1.checkout.sessions.create(
        params={
            "mode": "subscription",
            "success_url": "http://backstage.test/supporter/thanks",
            "line_items": [
                {
                    "quantity": 1,
                    "price_data": {
                        "currency": "usd",
                        "unit_amount": 500,
                        "recurring": {"interval": "month"},
                        "product_data": {"name": "Supporter plan"},
                    },
                }
            ],
            **extra,
        }
    )


def checkout(client, *, amount=750, quantity=2, name="Night Drive (album)", **extra):
    params = {
        "mode": "payment",
        "success_url": "http://backstage.test/thanks?session={CHECKOUT_SESSION_ID}",
        "cancel_url": "http://backstage.test/release/1",
        "line_items": [
            {
                "quantity": quantity,
                "price_data": {
                    "currency": "eur",
                    "unit_amount": amount,
                    "product_data": {"name": name},
                },
            }
        ],
        "metadata": {"purchase": "41"},
        "payment_intent_data": {"transfer_group": "purchase_41"},
        **extra,
    }
    return client.v1.checkout.sessions.create(params=params)


def pay(session, email="fan@example.com"):
    answer = requests.post(
        session.url + "/pay", data={"email": email}, allow_redirects=False, timeout=5
    )
    assert answer.status_code == 303
    return answer.headers["Location"]


def paid_charge(client, **kwargs):
    session = checkout(client, **kwargs)
    pay(session)
    intent = client.v1.payment_intents.retrieve(
        client.v1.checkout.sessions.retrieve(session.id).payment_intent
    )
    return client.v1.charges.retrieve(intent.latest_charge)


def verified(receiver, type, count=1):
    """The events of `type`, each accepted by the official signature check."""
    receiver.wait_for(type, count)
    bodies = [(b, s) for b, s in receiver.received if json.loads(b)["type"] == type]
    return [stripe.Webhook.construct_event(b, s, WEBHOOK_SECRET) for b, s in bodies]


def test_onboarding_flips_the_flags_and_sends_a_signed_account_updated(stripe_client, receiver):
    account = stripe_client.v1.accounts.create(
        params={"type": "express", "email": "mira@example.com", "metadata": {"artist": "7"}}
    )
    assert account.id.startswith("acct_")
    assert (account.details_submitted, account.charges_enabled, account.payouts_enabled) == (
        False,
        False,
        False,
    )
    assert "external_account" in account.requirements.currently_due
    url, page_url, token = onboarding_link(stripe_client, account.id)
    page = requests.get(url, timeout=5)
    assert page.status_code == 200
    assert "Complete onboarding" in page.text
    assert "no real money" in page.text

    answer = requests.post(
        page_url, data={"link": token, "outcome": "complete"}, allow_redirects=False, timeout=5
    )
    assert answer.status_code == 303
    assert answer.headers["Location"] == "http://backstage.test/payouts/done"

    account = stripe_client.v1.accounts.retrieve(account.id)
    assert (account.details_submitted, account.charges_enabled, account.payouts_enabled) == (
        True,
        True,
        True,
    )
    assert account.requirements.currently_due == []
    (event,) = verified(receiver, "account.updated")
    assert event.id.startswith("evt_")
    assert event.data.object.id == account.id
    assert event.data.object.payouts_enabled is True
    assert event.data.previous_attributes.payouts_enabled is False
    assert event.data.object.metadata.artist == "7"


def test_a_signature_from_another_secret_is_rejected(stripe_client, receiver):
    onboard(stripe_client)
    receiver.wait_for("account.updated")
    body, signature = receiver.received[0]
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(body, signature, "whsec_someone_else")
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(body.replace("true", "false"), signature, WEBHOOK_SECRET)


def test_an_account_link_works_once_then_sends_to_refresh_url(stripe_client):
    account = stripe_client.v1.accounts.create(params={"type": "express"})
    url, page_url, token = onboarding_link(stripe_client, account.id)
    form = {"link": token, "outcome": "complete"}
    first = requests.post(page_url, data=form, allow_redirects=False, timeout=5)
    again = requests.post(page_url, data=form, allow_redirects=False, timeout=5)
    revisit = requests.get(url, allow_redirects=False, timeout=5)
    assert first.status_code == 303
    assert again.status_code == 400
    assert "expired or was used" in again.text
    assert revisit.status_code == 303
    assert revisit.headers["Location"] == "http://backstage.test/payouts/refresh"


@pytest.mark.parametrize(
    ("form", "status", "message"),
    [
        ({"outcome": "complete"}, 400, "expired or was used"),
        ({"link": "forged", "outcome": "complete"}, 400, "expired or was used"),
        ({"outcome": "<b>done</b>"}, 400, "Choose how onboarding ends"),
    ],
)
def test_a_bad_onboarding_form_changes_nothing(stripe_client, receiver, form, status, message):
    account = stripe_client.v1.accounts.create(params={"type": "express"})
    _, page_url, token = onboarding_link(stripe_client, account.id)
    if "link" not in form and form["outcome"] != "complete":
        form = {**form, "link": token}
    answer = requests.post(page_url, data=form, allow_redirects=False, timeout=5)
    assert answer.status_code == status
    assert message in answer.text
    assert "<b>done</b>" not in answer.text
    assert stripe_client.v1.accounts.retrieve(account.id).details_submitted is False
    assert stripe_client.v1.events.list().data == []


def test_onboarding_without_a_bank_account_leaves_payouts_off(stripe_client, receiver):
    account = onboard(stripe_client, outcome="incomplete")
    assert account.details_submitted is True
    assert account.payouts_enabled is False
    assert account.requirements.currently_due == ["external_account"]
    (event,) = verified(receiver, "account.updated")
    assert event.data.object.requirements.currently_due == ["external_account"]


def test_checkout_payment_creates_intent_charge_fee_and_sends_completed(stripe_client, receiver):
    session = checkout(stripe_client)
    assert session.id.startswith("cs_test_")
    assert (session.amount_total, session.currency, session.status) == (1500, "eur", "open")
    assert session.payment_intent is None

    page = requests.get(session.url, timeout=5)
    assert "15.00 EUR" in page.text
    assert pay(session) == f"http://backstage.test/thanks?session={session.id}"

    session = stripe_client.v1.checkout.sessions.retrieve(
        session.id, params={"expand": ["payment_intent.latest_charge.balance_transaction"]}
    )
    assert (session.status, session.payment_status) == ("complete", "paid")
    assert session.customer_details.email == "fan@example.com"
    intent = session.payment_intent
    assert (intent.status, intent.amount, intent.transfer_group) == (
        "succeeded",
        1500,
        "purchase_41",
    )
    txn = intent.latest_charge.balance_transaction
    # 2.9 % of 1500 is 43.5, rounded half up to 44, plus 30.
    assert (txn.amount, txn.fee, txn.net, txn.type) == (1500, 74, 1426, "charge")
    (event,) = verified(receiver, "checkout.session.completed")
    assert event.data.object.id == session.id
    assert event.data.object.metadata.purchase == "41"
    assert event.data.object.payment_intent == intent.id
    assert event.api_version == stripe.api_version  # the pinned library's version


@pytest.mark.parametrize(
    ("amount", "fee"),
    [(1, 30), (17, 30), (18, 31), (100, 33), (1017, 59), (1018, 60), (123_456, 3610)],
)
def test_the_fee_is_2_9_percent_rounded_half_up_plus_30(amount, fee):
    assert processing_fee(amount) == fee


def test_a_one_cent_payment_records_the_fee_above_the_amount(stripe_client):
    charge = paid_charge(stripe_client, amount=1, quantity=1)
    txn = stripe_client.v1.balance_transactions.retrieve(charge.balance_transaction)
    assert (txn.amount, txn.fee, txn.net) == (1, 30, -29)


def test_cancel_returns_to_cancel_url_and_the_session_stays_open(stripe_client, receiver):
    session = checkout(stripe_client)
    answer = requests.post(session.url + "/cancel", allow_redirects=False, timeout=5)
    assert answer.headers["Location"] == "http://backstage.test/release/1"
    assert stripe_client.v1.checkout.sessions.retrieve(session.id).status == "open"


def test_a_session_is_paid_once(stripe_client):
    session = checkout(stripe_client)
    pay(session)
    again = requests.post(session.url + "/pay", data={}, allow_redirects=False, timeout=5)
    assert again.status_code == 400
    assert "no longer open" in again.text
    assert requests.get(session.url, timeout=5).status_code == 410


def test_subscription_checkout_then_next_period(stripe_client, sandbox, receiver):
    session = monthly_session(stripe_client, subscription_data={"metadata": {"supporter": "12"}})
    assert "every 1 month" in requests.get(session.url, timeout=5).text
    pay(session, email="supporter@example.com")
    session = stripe_client.v1.checkout.sessions.retrieve(session.id)
    subscription = stripe_client.v1.subscriptions.retrieve(session.subscription)
    assert subscription.status == "active"
    assert subscription.metadata.supporter == "12"
    item = subscription["items"].data[0]
    first = stripe_client.v1.invoices.retrieve(session.invoice)
    assert (first.amount_paid, first.billing_reason) == (500, "subscription_create")
    assert first.period_end == item.current_period_end
    verified(receiver, "checkout.session.completed")
    verified(receiver, "customer.subscription.created")
    verified(receiver, "invoice.paid")

    answer = requests.post(
        f"{sandbox.url}/v1/test_helpers/subscriptions/{subscription.id}/advance",
        headers=AUTH,
        timeout=5,
    )
    assert answer.status_code == 200
    second = answer.json()
    assert second["billing_reason"] == "subscription_cycle"
    assert second["period_start"] == item.current_period_end
    events = verified(receiver, "invoice.paid", count=2)
    assert {e.data.object.id for e in events} == {first.id, second["id"]}

    payments = stripe_client.v1.invoice_payments.list(params={"invoice": second["id"]})
    intent = stripe_client.v1.payment_intents.retrieve(payments.data[0].payment.payment_intent)
    txn = stripe_client.v1.balance_transactions.retrieve(
        stripe_client.v1.charges.retrieve(intent.latest_charge).balance_transaction
    )
    assert (txn.amount, txn.fee, txn.net) == (500, 45, 455)


def test_same_idempotency_key_and_params_replays_the_saved_answer(stripe_client, receiver):
    params = {"type": "express", "email": "mira@example.com"}
    options = {"idempotency_key": "artist-7-connect"}
    first = stripe_client.v1.accounts.create(params=params, options=options)
    second = stripe_client.v1.accounts.create(params=params, options=options)
    assert second.id == first.id
    assert second.last_response.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.last_response.headers
    assert second.last_response.request_id == first.last_response.request_id


def test_same_idempotency_key_with_other_params_is_refused(stripe_client):
    options = {"idempotency_key": "payout-3"}
    stripe_client.v1.accounts.create(params={"type": "express"}, options=options)
    with pytest.raises(stripe.IdempotencyError) as refused:
        stripe_client.v1.accounts.create(
            params={"type": "express", "email": "other@example.com"}, options=options
        )
    assert refused.value.http_status == 400
    assert "payout-3" in refused.value.user_message


def test_a_key_replays_a_refusal_but_not_a_validation_error(stripe_client):
    account = onboard(stripe_client, outcome="incomplete")
    transfer = {"amount": 100, "currency": "eur", "destination": account.id}
    options = {"idempotency_key": "payout-9"}
    with pytest.raises(stripe.InvalidRequestError) as first:
        stripe_client.v1.transfers.create(params=transfer, options=options)
    with pytest.raises(stripe.InvalidRequestError) as replayed:
        stripe_client.v1.transfers.create(params=transfer, options=options)
    assert replayed.value.headers["Idempotent-Replayed"] == "true"
    assert replayed.value.code == first.value.code == "insufficient_capabilities_for_transfer"

    options = {"idempotency_key": "artist-8"}
    with pytest.raises(stripe.InvalidRequestError):
        stripe_client.v1.accounts.create(params={"type": "express", "country": "USA"})
    with pytest.raises(stripe.InvalidRequestError):
        stripe_client.v1.accounts.create(params={"type": "moon"}, options=options)
    created = stripe_client.v1.accounts.create(params={"type": "express"}, options=options)
    assert created.id.startswith("acct_")


def test_concurrent_requests_with_one_key_create_one_account(sandbox, stripe_client):
    options = {"idempotency_key": "artist-5-connect"}
    with ThreadPoolExecutor(max_workers=8) as pool:
        created = list(
            pool.map(
                lambda _: (
                    stripe_client.v1.accounts.create(params={"type": "express"}, options=options).id
                ),
                range(8),
            )
        )
    assert len(set(created)) == 1
    assert len(sandbox.store.find("account")) == 1


def test_an_overlong_idempotency_key_is_refused(sandbox, stripe_client):
    with pytest.raises(stripe.InvalidRequestError) as refused:
        stripe_client.v1.accounts.create(
            params={"type": "express"}, options={"idempotency_key": "k" * 256}
        )
    assert "at most 255" in refused.value.user_message
    assert sandbox.store.find("account") == []


def test_idempotency_keys_are_kept_24_hours(sandbox, stripe_client):
    options = {"idempotency_key": "artist-1"}
    first = stripe_client.v1.accounts.create(params={"type": "express"}, options=options)
    for saved in sandbox.store.idempotency.values():
        saved["created"] -= 24 * 60 * 60 + 1
    second = stripe_client.v1.accounts.create(params={"type": "express"}, options=options)
    assert second.id != first.id


def test_transfers_are_refused_for_an_account_without_payouts(stripe_client, receiver):
    paid_charge(stripe_client)
    account = stripe_client.v1.accounts.create(params={"type": "express"})
    for destination in (account.id, onboard(stripe_client, outcome="incomplete").id):
        with pytest.raises(stripe.InvalidRequestError) as refused:
            stripe_client.v1.transfers.create(
                params={"amount": 500, "currency": "eur", "destination": destination}
            )
        assert refused.value.http_status == 400
        assert refused.value.code == "insufficient_capabilities_for_transfer"
        assert refused.value.param == "destination"
    with pytest.raises(stripe.InvalidRequestError) as unknown:
        stripe_client.v1.transfers.create(
            params={"amount": 500, "currency": "eur", "destination": "acct_nobody"}
        )
    assert unknown.value.user_message == "No such destination: 'acct_nobody'"
    assert stripe_client.v1.events.list(params={"type": "transfer.created"}).data == []


def test_a_transfer_needs_funds_in_the_balance(stripe_client):
    account = onboard(stripe_client)
    paid_charge(stripe_client, amount=1000, quantity=1)  # net 1000 - 59 = 941
    with pytest.raises(stripe.InvalidRequestError) as refused:
        stripe_client.v1.transfers.create(
            params={"amount": 942, "currency": "eur", "destination": account.id}
        )
    assert refused.value.code == "balance_insufficient"
    transfer = stripe_client.v1.transfers.create(
        params={
            "amount": 941,
            "currency": "eur",
            "destination": account.id,
            "transfer_group": "purchase_41",
            "metadata": {"payout": "3"},
        }
    )
    assert (transfer.amount, transfer.destination, transfer.metadata.payout) == (
        941,
        account.id,
        "3",
    )
    assert stripe_client.v1.transfers.retrieve(transfer.id).transfer_group == "purchase_41"
    assert stripe_client.v1.balance.retrieve().available[0].amount == 0


def test_refunds_partial_then_full_each_send_charge_refunded(stripe_client, receiver):
    charge = paid_charge(stripe_client)
    first = stripe_client.v1.refunds.create(params={"charge": charge.id, "amount": 400})
    rest = stripe_client.v1.refunds.create(
        params={"payment_intent": charge.payment_intent, "reason": "requested_by_customer"}
    )
    assert (first.amount, rest.amount, rest.status) == (400, 1100, "succeeded")
    charge = stripe_client.v1.charges.retrieve(charge.id)
    assert (charge.amount_refunded, charge.refunded) == (1500, True)
    txn = stripe_client.v1.balance_transactions.retrieve(rest.balance_transaction)
    assert (txn.amount, txn.type) == (-1100, "refund")
    events = verified(receiver, "charge.refunded", count=2)
    assert sorted(e.data.object.amount_refunded for e in events) == [400, 1500]
    assert {e.request.id for e in events} == {
        first.last_response.request_id,
        rest.last_response.request_id,
    }
    with pytest.raises(stripe.InvalidRequestError) as refused:
        stripe_client.v1.refunds.create(params={"charge": charge.id, "amount": 1})
    assert refused.value.code == "charge_already_refunded"


def test_a_refund_above_what_is_left_is_refused(stripe_client):
    charge = paid_charge(stripe_client)
    with pytest.raises(stripe.InvalidRequestError) as refused:
        stripe_client.v1.refunds.create(params={"charge": charge.id, "amount": 1501})
    assert refused.value.code == "amount_too_large"
    assert stripe_client.v1.charges.retrieve(charge.id).amount_refunded == 0


def test_reversals_partial_then_full_send_transfer_reversed(stripe_client, receiver):
    account = onboard(stripe_client)
    paid_charge(stripe_client)
    transfer = stripe_client.v1.transfers.create(
        params={"amount": 1000, "currency": "eur", "destination": account.id}
    )
    part = stripe_client.v1.transfers.reversals.create(transfer.id, params={"amount": 300})
    rest = stripe_client.v1.transfers.reversals.create(transfer.id)
    assert (part.amount, rest.amount, rest.transfer) == (300, 700, transfer.id)
    assert stripe_client.v1.transfers.reversals.retrieve(transfer.id, part.id).amount == 300
    transfer = stripe_client.v1.transfers.retrieve(transfer.id)
    assert (transfer.amount_reversed, transfer.reversed) == (1000, True)
    events = verified(receiver, "transfer.reversed", count=2)
    assert sorted(e.data.object.amount_reversed for e in events) == [300, 1000]
    with pytest.raises(stripe.InvalidRequestError):
        stripe_client.v1.transfers.reversals.create(transfer.id, params={"amount": 1})


def test_a_dispute_sends_charge_dispute_created_and_blocks_refunds(
    stripe_client, sandbox, receiver
):
    charge = paid_charge(stripe_client)
    answer = requests.post(
        f"{sandbox.url}/v1/test_helpers/charges/{charge.id}/dispute",
        headers=AUTH,
        timeout=5,
    )
    assert answer.status_code == 200
    (event,) = verified(receiver, "charge.dispute.created")
    assert (event.data.object.charge, event.data.object.amount) == (charge.id, 1500)
    assert stripe_client.v1.charges.retrieve(charge.id).disputed is True
    with pytest.raises(stripe.InvalidRequestError) as refused:
        stripe_client.v1.refunds.create(params={"charge": charge.id})
    assert refused.value.code == "charge_disputed"


def test_events_are_listed_newest_first_and_paginate(stripe_client, receiver):
    charge = paid_charge(stripe_client)
    for amount in (100, 200, 300):
        stripe_client.v1.refunds.create(params={"charge": charge.id, "amount": amount})
    first = stripe_client.v1.events.list(params={"limit": 2})
    assert [e.data.object.amount_refunded for e in first.data] == [600, 300]
    assert first.has_more is True
    rest = stripe_client.v1.events.list(params={"limit": 10, "starting_after": first.data[-1].id})
    assert [e.type for e in rest.data] == ["charge.refunded", "checkout.session.completed"]
    assert rest.has_more is False
    only = stripe_client.v1.events.list(params={"type": "checkout.session.completed"})
    assert stripe_client.v1.events.retrieve(only.data[0].id).id == only.data[0].id


def test_a_failing_endpoint_gets_the_event_again_later(stripe_client, sandbox, receiver):
    receiver.statuses = [500, 503]
    onboard(stripe_client)
    (event,) = verified(receiver, "account.updated")
    assert sandbox.webhooks.wait_idle()
    assert [status for _, status in sandbox.webhooks.attempts] == [500, 503, 200]
    assert stripe_client.v1.events.retrieve(event.id).pending_webhooks == 0


def test_resend_delivers_an_event_again_with_a_fresh_signature(stripe_client, sandbox, receiver):
    onboard(stripe_client)
    (event,) = verified(receiver, "account.updated")
    for _ in range(3):
        answer = requests.post(
            f"{sandbox.url}/v1/test_helpers/events/{event.id}/resend",
            headers=AUTH,
            timeout=5,
        )
        assert answer.status_code == 200
    replays = verified(receiver, "account.updated", count=4)
    assert {e.id for e in replays} == {event.id}


def test_a_request_without_a_key_gets_401_in_stripes_shape(sandbox):
    answer = requests.get(f"{sandbox.url}/v1/events", timeout=5)
    assert answer.status_code == 401
    error = answer.json()["error"]
    assert error["type"] == "invalid_request_error"
    assert error["message"].startswith("You did not provide an API key.")
    assert set(error) == {"type", "code", "message", "param"}


def test_a_live_key_is_refused(sandbox):
    live = stripe.StripeClient(
        "sk_live_51Habcdefgh1234", base_addresses={"api": sandbox.url}, max_network_retries=0
    )
    with pytest.raises(stripe.AuthenticationError) as refused:
        live.v1.accounts.create(params={"type": "express"})
    assert refused.value.http_status == 401
    assert "sk_live_********1234" in refused.value.user_message
    assert "51Habcdefgh" not in refused.value.user_message
    assert sandbox.store.find("account") == []


@pytest.mark.parametrize(
    ("params", "code", "param"),
    [
        ({}, "parameter_missing", "type"),
        ({"type": "express", "colour": "red"}, "parameter_unknown", "colour"),
        ({"type": "express", "metadata": {"k" * 41: "v"}}, "parameter_invalid", None),
    ],
)
def test_bad_account_params_get_a_clear_400(stripe_client, sandbox, params, code, param):
    with pytest.raises(stripe.InvalidRequestError) as refused:
        stripe_client.v1.accounts.create(params=params)
    assert refused.value.http_status == 400
    assert refused.value.code == code
    if param:
        assert refused.value.param == param
    assert sandbox.store.find("account") == []


def test_a_bad_line_item_names_the_nested_param(stripe_client, sandbox):
    with pytest.raises(stripe.InvalidRequestError) as refused:
        checkout(stripe_client, amount="12.50")
    assert refused.value.code == "parameter_invalid_integer"
    assert refused.value.param == "line_items[0][price_data][unit_amount]"
    with pytest.raises(stripe.InvalidRequestError) as recurring:
        stripe_client.v1.checkout.sessions.create(
            params={
                "mode": "subscription",
                "success_url": "http://backstage.test/",
                "line_items": [
                    {
                        "quantity": 1,
                        "price_data": {
                            "currency": "usd",
                            "unit_amount": 500,
                            "product_data": {"name": "Tip"},
                        },
                    }
                ],
            }
        )
    assert "recurring" in recurring.value.user_message
    with pytest.raises(stripe.InvalidRequestError) as huge:
        checkout(stripe_client, amount=99_999_999, quantity=2)
    assert huge.value.code == "amount_too_large"
    assert sandbox.store.find("checkout.session") == []


@pytest.mark.parametrize(
    ("body", "headers", "status", "message"),
    [
        ("metadata[a]=1&metadata=2", {}, 400, "Invalid parameter: metadata"),
        ("type=express&type[x]=1", {}, 400, "Invalid hash: type[x]"),
        ("expand[]=a&expand[0]=b", {}, 400, "Invalid"),
        ("a" + "[b]" * 7 + "=1", {}, 400, "nested too deeply"),
        ('{"type": "express"}', {"Content-Type": "application/json"}, 400, "not JSON"),
        (b"type=\xff\xfe", {}, 400, "not valid UTF-8"),
        ("type=express&" + "x" * 300_000, {}, 413, "limited to"),
    ],
)
def test_malformed_bodies_get_stripes_error_shape_never_500(
    sandbox, body, headers, status, message
):
    answer = requests.post(
        f"{sandbox.url}/v1/accounts",
        data=body,
        headers={"Content-Type": "application/x-www-form-urlencoded", **AUTH, **headers},
        timeout=5,
    )
    assert answer.status_code == status
    assert message in answer.json()["error"]["message"]
    assert sandbox.store.find("account") == []


def test_unknown_urls_and_ids_are_404(stripe_client, sandbox):
    answer = requests.get(f"{sandbox.url}/v1/payouts", headers=AUTH, timeout=5)
    assert answer.status_code == 404
    assert answer.json()["error"]["message"].startswith("Unrecognized request URL (GET: /v1/")
    with pytest.raises(stripe.InvalidRequestError) as missing:
        stripe_client.v1.charges.retrieve("ch_nothing")
    assert (missing.value.http_status, missing.value.code) == (404, "resource_missing")
    assert missing.value.user_message == "No such charge: 'ch_nothing'"
    assert requests.get(f"{sandbox.url}/sandbox/checkout/cs_nope", timeout=5).status_code == 404


def test_the_checkout_page_escapes_what_the_seller_typed(stripe_client):
    session = checkout(stripe_client, name='<script>alert("x")</script>')
    page = requests.get(session.url, timeout=5).text
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page


def test_state_survives_a_restart_with_a_state_file(tmp_path):
    path = tmp_path / "sandbox.json"
    first = Sandbox(state_path=str(path))
    server, url = start_in_thread(first)
    client = stripe.StripeClient("sk_test_a", base_addresses={"api": url}, max_network_retries=0)
    options = {"idempotency_key": "artist-2"}
    account = client.v1.accounts.create(params={"type": "express"}, options=options)
    server.shutdown()
    server.server_close()

    server, url = start_in_thread(Sandbox(state_path=str(path)))
    client = stripe.StripeClient("sk_test_a", base_addresses={"api": url}, max_network_retries=0)
    try:
        assert client.v1.accounts.retrieve(account.id).id == account.id
        replay = client.v1.accounts.create(params={"type": "express"}, options=options)
        assert replay.id == account.id
    finally:
        server.shutdown()
        server.server_close()


def test_python_m_payments_sandbox_serves_the_api():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "payments.sandbox", "--port", str(port)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert "no real money" in process.stdout.readline()
        client = stripe.StripeClient(
            "sk_test_cli", base_addresses={"api": f"http://127.0.0.1:{port}"}
        )
        assert client.v1.accounts.create(params={"type": "express"}).object == "account"
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_hosted_pages_are_named_at_the_public_url_when_one_is_given():
    """As in docker-compose: the app calls the sandbox by its service name, browsers by theirs."""
    app = Sandbox(public_url="http://localhost:12111/")
    server, url = start_in_thread(app)
    try:
        client = stripe.StripeClient(
            "sk_test_backstage", base_addresses={"api": url}, max_network_retries=0
        )
        session = checkout(client)
        account = client.v1.accounts.create(params={"type": "express"})
        link, _, _ = onboarding_link(client, account.id)
        page = requests.get(url + urlsplit(session.url).path, timeout=5).text
    finally:
        server.shutdown()
        server.server_close()

    assert session.url == f"http://localhost:12111/sandbox/checkout/{session.id}"
    assert link.startswith(f"http://localhost:12111/sandbox/onboarding/{account.id}?link=")
    assert f'action="http://localhost:12111/sandbox/checkout/{session.id}/pay"' in page


def test_transfers_are_listed_by_transfer_group_and_their_reversals_newest_first(
    sandbox, stripe_client
):
    from payments.sandbox.accounts import finish_onboarding
    from payments.sandbox.charges import collect_payment

    account = stripe_client.v1.accounts.create(params={"type": "express"})
    with sandbox.store.lock:
        finish_onboarding(sandbox.webhooks, account_id=account.id, complete=True)
        collect_payment(sandbox.store, amount=5000, currency="eur", description=None, metadata={})
    made = [
        stripe_client.v1.transfers.create(
            params={"amount": 90, "currency": "eur", "destination": account.id, "transfer_group": g}
        )
        for g in ("payout-1", "payout-2", "payout-2")
    ]
    found = stripe_client.v1.transfers.list(params={"transfer_group": "payout-2"})
    assert [t.id for t in found.data] == [made[2].id, made[1].id]
    assert stripe_client.v1.transfers.list(params={"transfer_group": "payout-9"}).data == []

    first = stripe_client.v1.transfers.reversals.create(made[0].id, params={"amount": 10})
    second = stripe_client.v1.transfers.reversals.create(
        made[0].id, params={"amount": 20, "metadata": {"backstage_clawback": "7"}}
    )
    listed = stripe_client.v1.transfers.reversals.list(made[0].id, params={"limit": 1})
    assert [r.id for r in listed.auto_paging_iter()] == [second.id, first.id]
    assert listed.data[0].metadata["backstage_clawback"] == "7"
