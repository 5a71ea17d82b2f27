"""Reporting a conversation, and the admin that shows staff reported conversations only."""

import pytest
from django.contrib.admin.sites import site
from django.urls import reverse

from messaging.models import Conversation, Message, Report
from notifications.models import Notification

from .conftest import send

pytestmark = pytest.mark.django_db

CONVERSATIONS = reverse("admin:messaging_conversation_changelist")
REPORTS = reverse("admin:messaging_report_changelist")


def test_a_participant_reports_a_conversation_with_a_reason(client, ana, bo):
    conversation = send(ana, bo, "Buy followers cheap!!!").conversation
    client.force_login(bo.user)
    url = f"/messages/{conversation.pk}/report/"
    assert "Spam or advertising" in client.get(url).content.decode()

    response = client.post(url, {"reason": "spam", "text": "<b>sells</b> followers"}, follow=True)
    assert "Thank you: staff will read this conversation." in response.content.decode()
    report = Report.objects.get()
    assert (report.reporter, report.reason, report.status) == (bo.user, "spam", "open")

    again = client.post(url, {"reason": "spam"}, follow=True)
    assert "already reported" in again.content.decode()
    assert Report.objects.count() == 1


@pytest.mark.parametrize(
    "data",
    [{}, {"reason": "because"}, {"reason": "spam", "text": "x" * 2001}],
)
def test_a_report_without_a_known_reason_or_with_too_much_text_is_refused(client, ana, bo, data):
    conversation = send(ana, bo).conversation
    client.force_login(bo.user)
    response = client.post(f"/messages/{conversation.pk}/report/", data)
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert not Report.objects.exists()


def test_the_admin_shows_only_reported_conversations_and_their_messages(staff_client, ana, bo, cy):
    reported = send(ana, bo, "Reported <i>words</i>").conversation
    private = send(ana, cy, "Private words").conversation
    Report.objects.create(conversation=reported, reporter=bo.user, reason="harassment")

    listing = staff_client.get(CONVERSATIONS).content.decode()
    assert reverse("admin:messaging_conversation_change", args=[reported.pk]) in listing
    assert reverse("admin:messaging_conversation_change", args=[private.pk]) not in listing

    page = staff_client.get(reverse("admin:messaging_conversation_change", args=[reported.pk]))
    assert page.status_code == 200
    assert "Reported &lt;i&gt;words&lt;/i&gt;" in page.content.decode()
    assert "Harassment or abuse" in page.content.decode()

    hidden = staff_client.get(
        reverse("admin:messaging_conversation_change", args=[private.pk]), follow=True
    )
    assert "Private words" not in hidden.content.decode()
    # Nowhere else in the admin: no list of messages, and notifications never quote them.
    assert Message not in site._registry
    assert not Notification.objects.filter(text__contains="Private words").exists()
    search = staff_client.get(reverse("admin:notifications_notification_changelist"))
    assert "Private words" not in search.content.decode()


def test_reported_conversations_are_read_only_for_staff(staff_client, ana, bo):
    conversation = send(ana, bo, "Original").conversation
    Report.objects.create(conversation=conversation, reporter=bo.user, reason="spam")
    change = reverse("admin:messaging_conversation_change", args=[conversation.pk])
    assert staff_client.post(change, {"user_low": bo.user.pk}).status_code == 403
    delete = reverse("admin:messaging_conversation_delete", args=[conversation.pk])
    assert staff_client.post(delete, {"post": "yes"}).status_code == 403
    assert staff_client.get(reverse("admin:messaging_conversation_add")).status_code == 403
    assert Conversation.objects.filter(pk=conversation.pk).exists()
    assert Message.objects.get().body == "Original"


def test_staff_close_a_report_from_the_list(staff_client, ana, bo):
    conversation = send(ana, bo).conversation
    report = Report.objects.create(conversation=conversation, reporter=bo.user, reason="spam")
    listing = staff_client.get(REPORTS).content.decode()
    assert "Open" in listing
    staff_client.post(
        REPORTS, {"action": "mark_dismissed", "_selected_action": [report.pk]}, follow=True
    )
    report.refresh_from_db()
    assert report.status == "dismissed" and report.reviewed_at is not None
    # Closed, the conversation stays listed (with its history of reports).
    assert (
        reverse("admin:messaging_conversation_change", args=[conversation.pk])
        in staff_client.get(CONVERSATIONS).content.decode()
    )


def test_people_who_are_not_staff_cannot_open_the_messages_admin(client, ana, bo):
    conversation = send(ana, bo).conversation
    Report.objects.create(conversation=conversation, reporter=bo.user, reason="spam")
    client.force_login(bo.user)
    for url in (CONVERSATIONS, REPORTS):
        assert client.get(url)["Location"].startswith(reverse("admin:login"))
