"""In-app notifications: the bell's unread count, the inbox, and the e-mail sent after commit."""

import pytest
from django.core import mail
from django.db import transaction

from notifications.models import Notification
from notifications.services import notify

pytestmark = pytest.mark.django_db


def test_the_bell_counts_unread_notifications_and_the_inbox_marks_them_read(client, fan):
    notify(user=fan, kind="call.reply", text="Ana replied to your call", url="/collab/")
    notify(user=fan, kind="call.reply", text="Bo replied to your call")
    client.force_login(fan)

    page = client.get("/").content.decode()
    assert "2 unread" in page

    inbox = client.get("/notifications/").content.decode()
    assert "Ana replied to your call" in inbox and 'href="/collab/"' in inbox
    assert "2 unread" not in client.get("/").content.decode()


def test_text_is_escaped_and_only_the_owner_sees_it(client, fan, outsider):
    notify(user=fan, kind="message", text="<script>alert(1)</script> wrote to you")
    client.force_login(outsider)
    assert "wrote to you" not in client.get("/notifications/").content.decode()
    client.force_login(fan)
    page = client.get("/notifications/").content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page


def test_a_notification_links_only_to_a_path_on_this_site(fan):
    with pytest.raises(ValueError):
        notify(user=fan, kind="x", text="t", url="https://evil.example/")


def test_the_email_goes_out_after_commit_and_not_for_a_rolled_back_write(
    fan, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notify(user=fan, kind="credit", text="Confirm your credit", url="/credits/", email=True)
    assert len(mail.outbox) == 1 and "/credits/" in mail.outbox[0].body

    with (
        pytest.raises(RuntimeError),
        django_capture_on_commit_callbacks(execute=True),
        transaction.atomic(),
    ):
        notify(user=fan, kind="credit", text="Never sent", email=True)
        raise RuntimeError
    assert len(mail.outbox) == 1
    assert not Notification.objects.filter(text="Never sent").exists()


def test_read_all_needs_a_post(client, fan):
    notify(user=fan, kind="x", text="one")
    client.force_login(fan)
    assert client.get("/notifications/read/").status_code == 405
    client.post("/notifications/read/")
    assert not Notification.objects.filter(user=fan, read_at__isnull=True).exists()


def test_anonymous_visitors_are_sent_to_log_in(client):
    assert client.get("/notifications/").status_code == 302


def test_a_line_break_typed_in_a_title_does_not_stop_the_email(
    fan, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notify(user=fan, kind="collab.answer", text="Ana answered “Vocalist\r\nwanted”", email=True)
    assert mail.outbox[0].subject.endswith("Ana answered “Vocalist wanted”")
    assert Notification.objects.get().text == "Ana answered “Vocalist wanted”"
