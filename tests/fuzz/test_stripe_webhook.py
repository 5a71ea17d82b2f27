"""POST /payments/webhook fed unsigned, badly signed, garbled, duplicated and reordered events.

Only a body Stripe signed with our secret, holding an event with an id and a type, is recorded
(200); everything else is a 400 with a reason and records nothing. Recorded events, of any type
and with any object, delivered any number of times in any order, are recorded once and never
unbalance the ledger (payments.ledger.audit_ledger). The real purchase story, killed and
replayed at every step, is tests/payments/test_webhook_faults.py.
"""

import json
import time

import pytest
from hypothesis import event, example, given
from hypothesis import strategies as st

from payments import webhooks
from payments.ledger import audit_ledger
from payments.models import LedgerTransaction, WebhookEvent
from payments.sandbox.webhooks import sign

# The payments tests' autouse fixture: stripe_client() on a fresh in-memory sandbox that sends
# no webhooks anywhere, and STRIPE_WEBHOOK_SECRET set to SECRET.
from tests.payments.conftest import WEBHOOK_SECRET as SECRET
from tests.payments.conftest import _embedded_sandbox  # noqa: F401 - an autouse fixture

from .profiles import fuzz

pytestmark = pytest.mark.django_db

URL = "/payments/webhook"
TYPES = [*sorted(webhooks.HANDLERS), "test.unknown", "", "x" * 300]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=10,
)
ids = st.one_of(
    st.text(max_size=20).map(lambda t: "evt_" + t),
    st.text(max_size=20).map(lambda t: "evt_" + t),
    st.sampled_from(["evt_1", "evt_\x00", "evt_" + "9" * 300, "", "ch_1"]),
    json_values,
)
objects = st.one_of(
    st.fixed_dictionaries(
        {"id": st.one_of(st.text(max_size=12), st.sampled_from(["cs_1", "ch_1", "acct_1"]))},
        optional={"object": st.text(max_size=10), "amount": st.integers(), "metadata": json_values},
    ),
    json_values,
)


@st.composite
def events(draw) -> dict:
    """Event-shaped objects: mostly with an id and a type, any of them sometimes missing."""
    event = {
        "id": draw(ids),
        "object": "event",
        "type": draw(st.sampled_from(TYPES) | st.text(max_size=20)),
        "created": draw(st.integers(-(2**63), 2**63)),
        "data": draw(st.fixed_dictionaries({"object": objects}) | json_values),
        "livemode": False,
    }
    dropped = draw(st.sets(st.sampled_from(sorted(event)), max_size=2) | st.just(set()))
    return {k: v for k, v in event.items() if k not in dropped}


def bodies():
    return st.one_of(
        events().map(json.dumps),
        st.text(max_size=200),
        st.binary(max_size=200).map(lambda b: b.decode("latin-1")),
        st.sampled_from(["[]", "null", "1", '"evt_1"', "{", '{"id": "evt_1"}', "\ufeff{}"]),
    )


SIGNINGS = ["none", "empty", "garbage", "other_secret", "stale", "other_body", "right"]


def signature(how: str, body: str, junk: str) -> str | None:
    now = int(time.time())
    return {
        "none": None,
        "empty": "",
        "garbage": junk,
        "other_secret": sign(body, "whsec_not_ours", now),
        "stale": sign(body, SECRET, now - 3600),
        "other_body": sign(body + " ", SECRET, now),
        "right": sign(body, SECRET, now),
    }[how]


def deliver(client, body: str, sig: str | None):
    headers = {} if sig is None else {"Stripe-Signature": sig}
    return client.post(URL, body.encode(), content_type="application/json", headers=headers)


@fuzz(examples=60)
@given(body=bodies(), how=st.sampled_from(SIGNINGS) | st.just("right"), junk=st.text(max_size=60))
@example(body=json.dumps({"id": "evt_\x00", "type": "x", "data": {}}), how="right", junk="")
@example(body=json.dumps({"id": "evt_1", "type": "t\x00", "data": {}}), how="right", junk="")
@example(body=json.dumps({"id": "evt_2", "type": "x", "data": {"o": "\x00"}}), how="right", junk="")
@example(body=json.dumps({"id": "evt_\udafb", "type": "x", "data": {}}), how="right", junk="")
@example(
    body=json.dumps({"id": "evt_3", "type": "x", "data": [[[True], {}]]}), how="right", junk=""
)
def test_only_signed_events_are_recorded_the_rest_is_a_400(
    body, how, junk, client, django_capture_on_commit_callbacks
):
    before = WebhookEvent.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        response = deliver(client, body, signature(how, body, junk))
    assert response.status_code in (200, 400), response.content[:300]
    event(f"{how} → {response.status_code} {response.content[:40].decode(errors='replace')}")
    if response.status_code == 400:
        assert response.content.decode().strip()
        assert WebhookEvent.objects.count() == before
    else:
        assert how == "right"
        assert WebhookEvent.objects.filter(stripe_id=json.loads(body)["id"]).count() == 1
    assert audit_ledger().problems == []


@fuzz(examples=25)
@given(
    batch=st.lists(events(), min_size=1, max_size=5),
    repeats=st.lists(st.integers(0, 4), max_size=8),
    order=st.randoms(use_true_random=False),
)
def test_duplicated_and_reordered_events_are_recorded_once_and_book_nothing_twice(
    batch, repeats, order, client, django_capture_on_commit_callbacks
):
    bodies = [json.dumps(event) for event in batch]
    deliveries = bodies + [bodies[i % len(bodies)] for i in repeats]
    order.shuffle(deliveries)
    ledger_before = LedgerTransaction.objects.count()
    answers = {}
    for body in deliveries:
        with django_capture_on_commit_callbacks(execute=True):
            response = deliver(client, body, signature("right", body, ""))
        assert response.status_code in (200, 400), response.content[:300]
        # A body is answered the same way every time it is delivered.
        assert answers.setdefault(body, response.status_code) == response.status_code
        event(f"delivery → {response.status_code}")
    for body, status in answers.items():
        if status == 200:
            assert WebhookEvent.objects.filter(stripe_id=json.loads(body)["id"]).count() == 1
    # Objects made up by Hypothesis exist nowhere at Stripe: nothing is booked, and every
    # event is either processed or kept with its error for the sweep, never half-applied.
    assert LedgerTransaction.objects.count() == ledger_before
    assert audit_ledger().problems == []
