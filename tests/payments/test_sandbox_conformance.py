"""What the sandbox answers has Stripe's shape: every key of every object it sends (nested ones
too) exists in Stripe's own example object of that kind, from stripe/openapi's fixtures3.json."""

import json
from pathlib import Path

import pytest
import requests

from tests.payments.test_sandbox import AUTH, checkout, monthly_session, onboard, pay

FIXTURES = Path(__file__).resolve().parents[2] / ".." / "shared" / "stripe" / "fixtures3.json"
pytestmark = pytest.mark.skipif(
    not FIXTURES.exists(), reason="../shared/stripe/fixtures3.json is absent (a user's fresh clone)"
)

EVERY_KIND = {
    "account",
    "account_link",
    "balance",
    "balance_transaction",
    "bank_account",
    "charge",
    "checkout.session",
    "customer",
    "dispute",
    "event",
    "invoice",
    "invoice_payment",
    "item",
    "line_item",
    "payment_intent",
    "price",
    "product",
    "refund",
    "subscription",
    "subscription_item",
    "transfer",
    "transfer_reversal",
}


def objects_in(node, found):
    """Every Stripe object (a dict whose "object" names a kind, not "list") inside `node`.

    An event's `data` is {"object": {...}}: a holder, not an object, so "object" must be a string.
    """
    if isinstance(node, list):
        for item in node:
            objects_in(item, found)
    elif isinstance(node, dict):
        if isinstance(node.get("object"), str) and node["object"] != "list":
            found.append(node)
        for value in node.values():
            objects_in(value, found)
    return found


@pytest.fixture
def answers(sandbox, stripe_client):
    """Raw JSON answers of every endpoint, after a scenario that creates every kind."""

    def get(path, **params):
        answer = requests.get(f"{sandbox.url}{path}", params=params, headers=AUTH, timeout=5)
        assert answer.status_code == 200, answer.text
        return answer.json()

    def post(path, **data):
        answer = requests.post(f"{sandbox.url}{path}", data=data, headers=AUTH, timeout=5)
        assert answer.status_code == 200, answer.text
        return answer.json()

    account = onboard(stripe_client)
    link = post(
        "/v1/account_links",
        account=account.id,
        type="account_onboarding",
        refresh_url="http://backstage.test/r",
        return_url="http://backstage.test/d",
    )
    session = checkout(stripe_client)
    pay(session)
    payment = get(f"/v1/checkout/sessions/{session.id}")
    intent = get(f"/v1/payment_intents/{payment['payment_intent']}")
    charge_id = intent["latest_charge"]
    refund = post("/v1/refunds", charge=charge_id, amount="100")
    transfer = post("/v1/transfers", amount="500", currency="eur", destination=account.id)
    reversal = post(f"/v1/transfers/{transfer['id']}/reversals", amount="100")
    dispute = post(f"/v1/test_helpers/charges/{charge_id}/dispute")
    monthly = monthly_session(stripe_client)
    pay(monthly)
    monthly = get(f"/v1/checkout/sessions/{monthly.id}")
    subscription = get(f"/v1/subscriptions/{monthly['subscription']}")
    post(f"/v1/test_helpers/subscriptions/{subscription['id']}/advance")
    return [
        get(f"/v1/accounts/{account.id}"),
        link,
        payment,
        get(f"/v1/checkout/sessions/{session.id}/line_items", **{"expand[]": "data.price.product"}),
        intent,
        get(f"/v1/charges/{charge_id}"),
        get(f"/v1/balance_transactions/{get(f'/v1/charges/{charge_id}')['balance_transaction']}"),
        get(f"/v1/refunds/{refund['id']}"),
        get(f"/v1/transfers/{transfer['id']}"),
        get(f"/v1/transfers/{transfer['id']}/reversals/{reversal['id']}"),
        get(f"/v1/disputes/{dispute['id']}"),
        monthly,
        subscription,
        get(f"/v1/invoices/{monthly['invoice']}"),
        get(f"/v1/customers/{monthly['customer']}"),
        get("/v1/invoice_payments", invoice=monthly["invoice"]),
        get("/v1/balance"),
        get("/v1/events", limit="100"),
    ]


def test_every_key_the_sandbox_sends_is_in_stripes_example(answers):
    examples = json.loads(FIXTURES.read_text())["resources"]
    found = objects_in(answers, [])
    kinds = {obj["object"] for obj in found}
    assert kinds == EVERY_KIND
    for obj in found:
        example = examples[obj["object"]]
        assert example["object"] == obj["object"]
        extra = sorted(set(obj) - set(example))
        assert extra == [], f"{obj['object']} {obj.get('id')} sends keys Stripe does not: {extra}"


def test_events_carry_the_types_stripe_names(answers):
    events = answers[-1]["data"]
    assert {e["type"] for e in events} == {
        "account.updated",
        "checkout.session.completed",
        "charge.refunded",
        "transfer.created",
        "transfer.reversed",
        "charge.dispute.created",
        "customer.subscription.created",
        "invoice.paid",
    }
