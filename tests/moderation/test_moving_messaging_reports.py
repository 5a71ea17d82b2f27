"""Migration moderation 0004: messaging's old reports become moderation reports on a message."""

import uuid

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.factories import UserFactory

BEFORE = [
    ("messaging", "0002_message_hidden_at"),
    ("moderation", "0003_report_outcome_and_one_open_per_reporter"),
]
AFTER = [("messaging", "0003_drop_report"), ("moderation", "0004_move_messaging_reports")]


@pytest.fixture
def executor(django_db_blocker):
    """Migrations run backwards to BEFORE; whatever happens, forward to the latest again after."""
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    yield executor
    latest = MigrationExecutor(connection)
    latest.loader.build_graph()
    latest.migrate(latest.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_old_conversation_reports_move_onto_the_other_persons_message(executor):
    old = executor.loader.project_state(BEFORE).apps
    Conversation = old.get_model("messaging", "Conversation")
    Message = old.get_model("messaging", "Message")
    OldReport = old.get_model("messaging", "Report")
    # Users as they are now (only messaging and moderation were migrated back).
    ana = UserFactory(username="ana", email="ana@example.com", display_name="Ana")
    bo = UserFactory(username="bo", email="bo@example.com")
    conversation = Conversation.objects.create(user_low_id=ana.pk, user_high_id=bo.pk)
    hers = Message.objects.create(
        conversation=conversation, sender_id=ana.pk, body="Pay me", token=uuid.uuid4()
    )
    Message.objects.create(
        conversation=conversation, sender_id=bo.pk, body="No", token=uuid.uuid4()
    )
    OldReport.objects.create(
        conversation=conversation, reporter_id=bo.pk, reason="scam", text="Fraud"
    )
    OldReport.objects.create(
        conversation=conversation, reporter_id=ana.pk, reason="other", status="dismissed"
    )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    Report = new.get_model("moderation", "Report")
    moved = {r.reporter.username: r for r in Report.objects.select_related("reporter")}

    assert moved["bo"].target_id == hers.pk
    assert (moved["bo"].category, moved["bo"].status) == ("spam", "open")
    assert moved["bo"].details == "Scam or fraud. Fraud"
    assert moved["bo"].reporter_email == "bo@example.com" and moved["bo"].emailed_at is None
    assert moved["ana"].status == "dismissed" and moved["ana"].target_id != hers.pk
    assert "messaging_report" not in connection.introspection.table_names()
