"""A supporter plan's life: an abandoned checkout is replaced once it expires, a fan cancels (the
plan runs to the end of the month paid for, then ends) and subscribes again."""

import pytest
import requests
from django.urls import reverse

from payments.models import Subscription
from tests.payments.buying import deliver, pay, text
from tests.payments.test_supporters import signed_events

pytestmark = pytest.mark.usefixtures("payments_settings")

DAY = 24 * 3600


def age_sessions(embedded, seconds: int, *, expire: bool) -> None:
    """Move every Checkout Session `seconds` into the past (Stripe expires them after 24 h)."""
    with embedded.store.lock:
        for session in embedded.store.find("checkout.session"):
            session["created"] -= seconds
            session["expires_at"] -= seconds
            if expire:
                session["status"] = "expired"


def subscribe_and_pay(fan_client, receiver) -> Subscription:
    response = fan_client.post(reverse("supporters:subscribe"))
    assert response.status_code == 303
    paid_before = len(receiver.events("checkout.session.completed"))
    pay(response["Location"])
    receiver.wait_for("checkout.session.completed", paid_before + 1)
    for type in ("checkout.session.completed", "invoice.paid"):
        for event in signed_events(receiver, type):
            deliver(event)
    return Subscription.objects.get()


def deliver_all(receiver, type: str, count: int = 1) -> None:
    receiver.wait_for(type, count)
    for event in signed_events(receiver, type) * 2:  # each twice: replays change nothing
        deliver(event)


def test_an_abandoned_subscription_checkout_can_be_retried_after_it_expires(fan_client, embedded):
    first = fan_client.post(reverse("supporters:subscribe"))
    age_sessions(embedded, 2 * DAY, expire=True)
    again = fan_client.post(reverse("supporters:subscribe"))
    assert again.status_code == 303
    assert again["Location"] != first["Location"], "the fan is sent to the expired page forever"
    assert fan_client.post(reverse("supporters:subscribe"))["Location"] == again["Location"]
    assert Subscription.objects.get().checkout_attempt == 1


def test_a_session_left_open_for_a_day_is_expired_before_a_new_one_is_made(fan_client, embedded):
    first = fan_client.post(reverse("supporters:subscribe"))
    with embedded.store.lock:  # a session Stripe would keep open longer than a day
        for session in embedded.store.find("checkout.session"):
            session["created"] -= DAY + 60
            session["expires_at"] += 2 * DAY
    again = fan_client.post(reverse("supporters:subscribe"))
    assert again["Location"] != first["Location"]
    # The old page can no longer be paid: the fan never pays twice for one plan.
    answer = requests.post(first["Location"] + "/pay", data={"email": "a@b.c"}, timeout=5)
    assert answer.status_code != 303


def test_a_paid_but_unconfirmed_plan_does_not_send_the_fan_to_stripe_again(
    fan_client, embedded, receiver
):
    first = fan_client.post(reverse("supporters:subscribe"))
    pay(first["Location"])
    again = fan_client.post(reverse("supporters:subscribe"), follow=True)
    assert "Your payment went through; your plan starts in a moment." in text(again)


def test_a_fan_cancels_and_the_plan_ends_at_the_end_of_the_month_paid_for(
    fan_client, embedded, receiver
):
    plan = subscribe_and_pay(fan_client, receiver)
    assert plan.status == "active"

    page = fan_client.post(reverse("supporters:cancel"), follow=True)
    plan.refresh_from_db()
    assert plan.cancel_at_period_end and plan.ends_at is not None
    assert "Your plan is cancelled: nothing more is charged, and it ends on" in text(page)
    assert "Cancel my plan" not in text(page)
    assert fan_client.post(reverse("supporters:cancel")).status_code == 302  # again: no-op
    subscription = embedded.store.objects[plan.stripe_subscription_id]
    assert subscription["cancel_at_period_end"] is True
    deliver_all(receiver, "customer.subscription.updated")
    plan.refresh_from_db()
    assert (plan.status, plan.cancel_at_period_end) == ("active", True)

    # The period ends: Stripe ends the subscription instead of billing it.
    answer = requests.post(
        f"{embedded.url}/v1/test_helpers/subscriptions/{subscription['id']}/advance",
        headers={"Authorization": "Bearer sk_test_sandbox"},
        timeout=5,
    )
    assert answer.json()["status"] == "canceled"
    deliver_all(receiver, "customer.subscription.deleted")
    plan.refresh_from_db()
    assert plan.status == "ended" and plan.ended_at is not None
    assert len(receiver.events("invoice.paid")) == 1  # nothing charged after cancelling
    page = text(fan_client.get(reverse("supporters:page")))
    assert "Your plan ended on" in page and "Subscribe for €5.00 a month" in page


def test_an_ended_plan_can_be_started_again(fan_client, embedded, receiver):
    plan = subscribe_and_pay(fan_client, receiver)
    old_subscription = plan.stripe_subscription_id
    requests.delete(
        f"{embedded.url}/v1/subscriptions/{old_subscription}",
        headers={"Authorization": "Bearer sk_test_sandbox"},
        timeout=5,
    )
    deliver_all(receiver, "customer.subscription.deleted")
    assert Subscription.objects.get().status == "ended"

    plan = subscribe_and_pay(fan_client, receiver)
    assert plan.status == "active" and plan.stripe_subscription_id != old_subscription
    assert plan.checkout_attempt == 1
    deliver_all(receiver, "customer.subscription.deleted")  # the old one's event, again
    plan.refresh_from_db()
    assert plan.status == "active"
    assert "You are a supporter" in text(fan_client.get(reverse("supporters:page")))


def test_cancelling_without_a_plan_changes_nothing(fan_client, client):
    assert fan_client.post(reverse("supporters:cancel")).status_code == 302
    assert not Subscription.objects.exists()
    assert fan_client.get(reverse("supporters:cancel")).status_code == 405
    client.logout()
    assert client.post(reverse("supporters:cancel")).status_code == 302  # to the login page


def test_the_supporter_page_says_sandbox(client, settings):
    settings.PAYMENTS_SANDBOX = True
    assert "Sandbox payments — no real money." in text(client.get(reverse("supporters:page")))
    settings.PAYMENTS_SANDBOX = False
    assert "no real money" not in text(client.get(reverse("supporters:page")))
