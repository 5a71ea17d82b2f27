"""Two artists writing to each other at the same moment, on PostgreSQL, each through its own
database connection: one conversation, no deadlock, unread counts that match the messages, and
one e-mail each."""

import threading

import pytest
from django.core import mail
from django.db import connection, transaction

from messaging import selectors, services
from messaging.models import Conversation, Message, Participant
from tests.playlists.test_concurrency import run_in_threads

from .conftest import send

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real row locks"),
]

EACH = 15


def test_two_artists_writing_to_each_other_at_once_keep_counts_exact(ana, bo):
    def writer(sender, recipient):
        def job():
            for n in range(EACH):
                send(sender, recipient, f"{sender.name} {n}")

        return job

    errors = run_in_threads(writer(ana, bo), writer(bo, ana))
    assert errors == []
    assert Conversation.objects.count() == 1  # both first messages found the same one
    assert Message.objects.count() == 2 * EACH
    for seat in Participant.objects.all():
        recount = (
            Message.objects.filter(conversation=seat.conversation, id__gt=seat.read_up_to)
            .exclude(sender=seat.user)
            .count()
        )
        assert seat.unread == recount
    assert sorted(m.to[0] for m in mail.outbox) == sorted([ana.user.email, bo.user.email])


def test_a_message_sent_while_the_recipient_reads_waits_and_then_counts_as_unread(ana, bo):
    """Ana opens the conversation (her seat locked, unread set to 0, not yet committed) while
    Bo sends. Without the lock Bo's send would add one to the stale 2 and leave 3."""
    first = send(bo, ana, "one")
    second = send(bo, ana, "two")
    reading, done_reading = threading.Event(), threading.Event()

    def ana_reads():
        with transaction.atomic():
            services.mark_conversation_read(
                user=ana.user, conversation=first.conversation, up_to=second.pk
            )
            reading.set()
            done_reading.wait(10)

    def bo_sends():
        reading.wait(10)
        threading.Timer(0.5, done_reading.set).start()
        send(bo, ana, "three")

    assert run_in_threads(ana_reads, bo_sends) == []
    assert selectors.unread_total(user=ana.user) == 1
