"""A suspended fan stops paying: their supporter plan ends with the month already paid for."""

import pytest
import requests

from moderation.actions import suspend_user, unsuspend_user
from payments.models import Subscription
from tests.factories import UserFactory
from tests.payments.test_supporter_lifecycle import deliver_all, subscribe_and_pay

pytestmark = pytest.mark.usefixtures("payments_settings")


def advance_period(embedded, subscription_id: str) -> dict:
    """The month ends on Stripe's side: the subscription is billed again (the invoice), or
    ends (the subscription)."""
    answer = requests.post(
        f"{embedded.url}/v1/test_helpers/subscriptions/{subscription_id}/advance",
        headers={"Authorization": "Bearer sk_test_sandbox"},
        timeout=5,
    )
    return answer.json()


def test_suspending_a_supporter_ends_their_plan_with_the_month_paid_for(
    fan, fan_client, embedded, receiver, django_capture_on_commit_callbacks
):
    plan = subscribe_and_pay(fan_client, receiver)
    staff = UserFactory(is_staff=True)

    with django_capture_on_commit_callbacks(execute=True):
        suspend_user(user=fan, actor=staff, note="Card testing from this account.")

    plan.refresh_from_db()
    assert plan.status == Subscription.Status.ACTIVE and plan.cancel_at_period_end
    assert embedded.store.objects[plan.stripe_subscription_id]["cancel_at_period_end"] is True
    assert advance_period(embedded, plan.stripe_subscription_id)["status"] == "canceled"
    deliver_all(receiver, "customer.subscription.deleted")
    plan.refresh_from_db()
    assert plan.status == Subscription.Status.ENDED
    assert len(receiver.events("invoice.paid")) == 1  # nothing charged after the suspension

    with django_capture_on_commit_callbacks(execute=True):  # lifting it bills nobody by itself
        unsuspend_user(user=fan, actor=staff, note="Cleared.")
    assert len(receiver.events("invoice.paid")) == 1


def test_a_suspension_that_is_lifted_before_the_task_runs_leaves_the_plan_alone(
    fan, fan_client, embedded, receiver, django_capture_on_commit_callbacks
):
    plan = subscribe_and_pay(fan_client, receiver)
    staff = UserFactory(is_staff=True)

    with django_capture_on_commit_callbacks() as queued:
        suspend_user(user=fan, actor=staff, note="Looks like spam.")
    unsuspend_user(user=fan, actor=staff, note="A mistake: same name as a spammer.")
    for task in queued:
        task()

    plan.refresh_from_db()
    assert not plan.cancel_at_period_end
    billed = advance_period(embedded, plan.stripe_subscription_id)
    assert (billed["object"], billed["status"]) == ("invoice", "paid")  # the plan goes on
