"""Unread counts (per conversation in the inbox, in total in the header), notifications and the
e-mail sent at most once an hour per conversation."""

import datetime

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from messaging import selectors, services
from messaging.models import Conversation, Participant
from notifications.models import Notification
from tests.factories import ArtistFactory

from .conftest import send

pytestmark = pytest.mark.django_db


def test_unread_counts_show_per_conversation_and_in_the_header_until_opened(client, ana, bo, cy):
    first = send(bo, ana, "One")
    send(bo, ana, "Two")
    send(cy, ana, "Three")
    send(ana, cy, "My reply reads what came before it")
    send(cy, ana, "Four")
    client.force_login(ana.user)

    header = client.get("/").content.decode()
    assert "Messages, 3 unread" in header
    inbox = client.get("/messages/").content.decode()
    assert ">2 unread<" in inbox and ">1 unread<" in inbox  # Cy's first was answered: read

    client.get(f"/messages/{first.conversation_id}/")
    assert "Messages, 1 unread" in client.get("/").content.decode()
    assert ">2 unread<" not in client.get("/messages/").content.decode()

    client.force_login(bo.user)
    assert "You: Two" in client.get("/messages/").content.decode()
    assert "unread" not in client.get("/").content.decode()  # Bo only sent


def test_the_header_count_is_one_query(ana, bo, cy):
    for _ in range(3):
        send(bo, ana)
        send(cy, ana)
    with CaptureQueriesContext(connection) as queries:
        assert selectors.unread_total(user=ana.user) == 6
    assert len(queries) == 1


def test_the_inbox_costs_the_same_few_queries_for_many_conversations(
    client, ana, no_limits, django_assert_max_num_queries
):
    for artist in ArtistFactory.create_batch(25):
        send(artist, ana, f"Hello from {artist.name}")
        send(ana, artist, "Hi back")
    client.force_login(ana.user)
    # session, user, artist, the inbox (one query), the two unread counts of the header
    with django_assert_max_num_queries(6):
        page = client.get("/messages/").content.decode()
    assert page.count('class="conversation-row') == 25


def test_a_new_message_notifies_the_recipient_without_quoting_it(ana, bo):
    message = send(ana, bo, "Secret lyrics")
    notification = Notification.objects.get(user=bo.user)
    assert notification.text == "Ana Vox sent you a message."
    assert notification.url == f"/messages/{message.conversation_id}/"
    assert not Notification.objects.filter(user=ana.user).exists()


def test_a_chat_makes_one_bell_notification_and_one_email_an_hour(
    client, ana, bo, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = send(ana, bo, "one")
        send(ana, bo, "two")
        send(ana, bo, "three")
    assert Notification.objects.filter(user=bo.user, read_at__isnull=True).count() == 1
    assert len(mail.outbox) == 1 and "/messages/" in mail.outbox[0].body
    assert "one" not in mail.outbox[0].body.split("\n")[0]

    client.force_login(bo.user)
    client.get(f"/messages/{message.conversation_id}/")  # opening it reads the bell's item too
    assert not Notification.objects.filter(user=bo.user, read_at__isnull=True).exists()

    with django_capture_on_commit_callbacks(execute=True):
        send(ana, bo, "four")
    assert Notification.objects.filter(user=bo.user, read_at__isnull=True).count() == 1
    assert len(mail.outbox) == 1  # still within the hour

    Participant.objects.filter(user=bo.user).update(
        emailed_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    )
    with django_capture_on_commit_callbacks(execute=True):
        send(ana, bo, "five")
    assert len(mail.outbox) == 2


def test_a_message_arriving_while_the_page_was_open_stays_unread(ana, bo):
    seen = send(bo, ana, "Seen")
    send(bo, ana, "Arrived after the page was drawn")
    services.mark_conversation_read(user=ana.user, conversation=seen.conversation, up_to=seen.pk)
    assert selectors.unread_total(user=ana.user) == 1
    services.mark_conversation_read(user=ana.user, conversation=seen.conversation, up_to=1)
    assert selectors.unread_total(user=ana.user) == 1  # the read mark never moves back


def test_a_long_conversation_costs_a_fixed_number_of_queries(
    client, ana, bo, no_limits, django_assert_max_num_queries
):
    for n in range(30):
        send(ana, bo, f"ping {n}")
        send(bo, ana, f"pong {n}")
    client.force_login(ana.user)
    url = f"/messages/{Conversation.objects.get().pk}/"
    # session, user, artist; conversation, messages; the read mark (savepoint, lock, count,
    # update, the bell's items and their update, release); blocks; the header's two counts
    with django_assert_max_num_queries(15):
        page = client.get(url).content.decode()
    assert page.count('class="message-item') == 60


def test_only_artists_have_the_messages_link_in_the_header(client, ana, fan):
    client.force_login(fan)
    assert 'href="/messages/"' not in client.get("/").content.decode()
    client.force_login(ana.user)
    assert 'href="/messages/" aria-label="Messages"' in client.get("/").content.decode()
