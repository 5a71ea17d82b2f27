"""Objects in the shape of the API version the stripe library pins (2026-10-28.endive): a
charge carries no `refunds` unless expanded (since 2022-11-15), an invoice names its
subscription only under `parent` (since 2025-03-31.basil). The sandbox speaks it, the app
reads it."""

import pytest
from django.urls import reverse

from payments import ledger
from payments.models import LedgerTransaction, Subscription
from payments.stripe_api import stripe_client
from tests.payments.buying import deliver, pay
from tests.payments.paying_out import events, sell
from tests.payments.scenarios import assert_books_balance
from tests.payments.test_payouts import charge_of
from tests.payments.test_sandbox import paid_charge
from tests.payments.test_supporters import signed_events


def test_the_sandbox_speaks_the_api_version_the_stripe_library_pins():
    from stripe._api_version import _ApiVersion

    from payments.sandbox.webhooks import API_VERSION

    assert API_VERSION == _ApiVersion.CURRENT


def test_a_charge_has_its_refunds_only_when_they_are_expanded(stripe_client):
    charge = paid_charge(stripe_client)
    refund = stripe_client.v1.refunds.create(params={"charge": charge.id, "amount": 100})

    assert "refunds" not in stripe_client.v1.charges.retrieve(charge.id).to_dict()
    expanded = stripe_client.v1.charges.retrieve(charge.id, params={"expand": ["refunds"]})
    assert [r.id for r in expanded.refunds.data] == [refund.id]
    listed = stripe_client.v1.refunds.list(params={"charge": charge.id})
    assert [r.id for r in listed.data] == [refund.id]
    assert stripe_client.v1.refunds.list(params={"charge": "ch_other"}).data == []


@pytest.mark.usefixtures("payments_settings")
def test_a_charge_refunded_in_twelve_parts_books_all_twelve(fan_client, artist, sandbox, receiver):
    """More refunds than one page of a list (10 by default): every one is booked."""
    paid = sell(fan_client, receiver, artist, "20.00", token="sale-one-token-000000000")
    charge = charge_of(paid)
    for _ in range(12):
        stripe_client().v1.refunds.create(params={"charge": charge, "amount": 100})
    for event in events(receiver, "charge.refunded", 12)[-1:]:
        deliver(event)

    assert LedgerTransaction.objects.filter(kind="refund").count() == 12
    # the artist's share of 1200 of 2000 refunded: 967 of 1612
    assert ledger.artist_balance(artist, "eur").amount == 1612 - 967
    assert_books_balance(artist)


def test_an_invoice_names_its_subscription_only_under_parent(
    fan_client, embedded, receiver, payments_settings
):
    pay(fan_client.post(reverse("supporters:subscribe"))["Location"])
    receiver.wait_for("invoice.paid")
    [event] = signed_events(receiver, "invoice.paid")
    invoice = stripe_client().v1.invoices.retrieve(event.data.object.id).to_dict()

    assert "subscription" not in invoice
    assert invoice["parent"]["subscription_details"]["subscription"].startswith("sub_")


def test_an_invoice_paid_before_checkout_completes_activates_the_plan(
    fan_client, fan, embedded, receiver, payments_settings
):
    pay(fan_client.post(reverse("supporters:subscribe"))["Location"])
    receiver.wait_for("invoice.paid")
    for event in signed_events(receiver, "invoice.paid"):  # checkout.session.completed not yet
        deliver(event)

    plan = Subscription.objects.get(fan=fan)
    assert plan.status == Subscription.Status.ACTIVE
    assert plan.stripe_subscription_id.startswith("sub_")
