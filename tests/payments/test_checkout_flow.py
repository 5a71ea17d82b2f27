"""The whole purchase in one process, as `make run` has it: the sandbox's checkout page mounted
on our site, the fan pays, the signed webhook reaches /payments/webhook three times, and the
sale is booked once."""

import json

import pytest

from payments.models import LedgerTransaction, Payment, PriceTag, WebhookEvent
from tests.factories import TrackFactory

pytestmark = pytest.mark.django_db


def test_a_purchase_paid_on_the_mounted_sandbox_is_booked_once_however_often_stripe_says_so(
    client, fan, artist, embedded, receiver, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "http://testserver"
    track = TrackFactory(artist=artist)
    PriceTag.objects.create(track=track, price=1000)
    client.force_login(fan)
    r = client.post(f"/buy/track/{track.public_id}/", {"amount": "10", "token": "x" * 20})
    assert r.status_code == 303, r.content
    path = r["Location"].removeprefix("http://testserver")
    page = client.get(path)
    assert page.status_code == 200 and b"10.00 EUR" in page.content
    paid = client.post(path + "/pay", {"email": "fan@example.com"})
    assert paid.status_code == 303, paid.content
    receiver.wait_for("checkout.session.completed")
    body, sig = next(
        (b, s)
        for b, s in receiver.received
        if json.loads(b)["type"] == "checkout.session.completed"
    )
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            answer = client.post(
                "/payments/webhook",
                body,
                content_type="application/json",
                HTTP_STRIPE_SIGNATURE=sig,
            )
        assert answer.status_code == 200
    assert Payment.objects.get().status == "paid"
    assert LedgerTransaction.objects.count() == 1  # three deliveries, one sale
    assert WebhookEvent.objects.get().processed_at is not None
