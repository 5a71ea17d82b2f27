"""Reporting in a conversation (through moderation: moderation.Report on a message), what a
message removed by a moderator looks like, and the admin that shows staff reported
conversations only."""

import pytest
from django.contrib.admin.sites import site
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from messaging.models import Conversation, Message
from moderation import actions
from moderation.models import Report
from notifications.models import Notification

from .conftest import send

pytestmark = pytest.mark.django_db

CONVERSATIONS = reverse("admin:messaging_conversation_changelist")


def report_on(message, reporter, category="spam"):
    return Report.objects.create(
        target_type=ContentType.objects.get_for_model(Message),
        target_id=message.pk,
        target_label="message",
        category=category,
        reporter=reporter,
    )


def test_reporting_the_conversation_reports_the_other_persons_latest_message(client, ana, bo):
    send(ana, bo, "First")
    latest = send(ana, bo, "Buy followers cheap!!!")
    mine = send(bo, ana, "No thanks")
    client.force_login(bo.user)

    response = client.get(f"/messages/{latest.conversation_id}/report/")
    assert response["Location"] == f"/report/message/{latest.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "Spam or scam" in page and "a message from Ana Vox" in page

    thanks = client.post(
        response["Location"], {"category": "spam", "details": "<b>sells</b> followers"}, follow=True
    )
    assert "Thank you for your report" in thanks.content.decode()
    report = Report.objects.get()
    assert (report.reporter, report.category, report.status) == (bo.user, "spam", "open")
    assert report.target_id == latest.pk and report.details == "<b>sells</b> followers"

    again = client.post(response["Location"], {"category": "spam"})
    assert again.status_code == 409 and "already reported" in again.content.decode()
    assert Report.objects.count() == 1
    # Each of the other person's messages has its own link; one's own have none.
    thread = client.get(latest.conversation.get_absolute_url()).content.decode()
    assert f"/report/message/{latest.pk}/" in thread
    assert f"/report/message/{mine.pk}/" not in thread
    assert client.get(f"/report/message/{mine.pk}/").status_code == 404


def test_with_nothing_received_there_is_nothing_to_report(client, ana, bo):
    conversation = send(bo, ana, "Hi there").conversation
    client.force_login(bo.user)
    response = client.get(f"/messages/{conversation.pk}/report/")
    assert response.status_code == 404
    assert "nothing to report yet" in response.content.decode()


@pytest.mark.parametrize(
    "data",
    [{}, {"category": "because"}, {"category": "spam", "details": "x" * 2001}],
)
def test_a_report_without_a_known_reason_or_with_too_much_text_is_refused(client, ana, bo, data):
    message = send(ana, bo)
    client.force_login(bo.user)
    response = client.post(f"/report/message/{message.pk}/", data)
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert not Report.objects.exists()


def test_a_message_removed_by_a_moderator_shows_so_to_both(client, ana, bo, admin_user):
    message = send(ana, bo, "Something nasty")
    actions.take_down(target=message, actor=admin_user, note="Abuse")
    for person in (ana, bo):
        client.force_login(person.user)
        page = client.get(message.conversation.get_absolute_url()).content.decode()
        assert "Removed by a moderator." in page and "Something nasty" not in page
        inbox = client.get(reverse("messaging:inbox")).content.decode()
        assert "Removed by a moderator." in inbox and "Something nasty" not in inbox
    client.force_login(bo.user)
    assert client.get(f"/report/message/{message.pk}/").status_code == 404


def test_the_admin_shows_only_reported_conversations_and_their_messages(staff_client, ana, bo, cy):
    message = send(ana, bo, "Reported <i>words</i>")
    reported = message.conversation
    private = send(ana, cy, "Private words").conversation
    report = report_on(message, bo.user, category="offensive")

    listing = staff_client.get(CONVERSATIONS).content.decode()
    assert reverse("admin:messaging_conversation_change", args=[reported.pk]) in listing
    assert reverse("admin:messaging_conversation_change", args=[private.pk]) not in listing

    page = staff_client.get(reverse("admin:messaging_conversation_change", args=[reported.pk]))
    assert page.status_code == 200
    assert "Reported &lt;i&gt;words&lt;/i&gt;" in page.content.decode()
    assert reverse("admin:moderation_report_change", args=[report.pk]) in page.content.decode()

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
    message = send(ana, bo, "Original")
    conversation = message.conversation
    report_on(message, bo.user)
    change = reverse("admin:messaging_conversation_change", args=[conversation.pk])
    assert staff_client.post(change, {"user_low": bo.user.pk}).status_code == 403
    delete = reverse("admin:messaging_conversation_delete", args=[conversation.pk])
    assert staff_client.post(delete, {"post": "yes"}).status_code == 403
    assert staff_client.get(reverse("admin:messaging_conversation_add")).status_code == 403
    assert Conversation.objects.filter(pk=conversation.pk).exists()
    assert Message.objects.get().body == "Original"


def test_a_conversation_stays_listed_once_its_reports_are_closed(staff_client, ana, bo):
    message = send(ana, bo)
    report = report_on(message, bo.user)
    listing = staff_client.get(CONVERSATIONS)
    assert [c.open_report_count for c in listing.context["cl"].result_list] == [1]
    actions.dismiss(report=report, actor=bo.user, note="Looked: fine")
    listing = staff_client.get(CONVERSATIONS)
    assert [c.open_report_count for c in listing.context["cl"].result_list] == [0]


def test_people_who_are_not_staff_cannot_open_the_messages_admin(client, ana, bo):
    report_on(send(ana, bo), bo.user)
    client.force_login(bo.user)
    assert client.get(CONVERSATIONS)["Location"].startswith(reverse("admin:login"))
