"""Each report of a conversation (messaging.Report, dropped by messaging 0003) becomes a
moderation.Report on the newest message the other participant had sent the reporter when the
report was made (else their newest, else the conversation's newest): the message staff read
first in the conversation's admin page."""

from django.db import migrations

CATEGORY = {"spam": "spam", "harassment": "offensive", "scam": "spam", "other": "other"}
REASON = {
    "spam": "Spam or advertising",
    "harassment": "Harassment or abuse",
    "scam": "Scam or fraud",
}
STATUS = {"open": "open", "actioned": "resolved", "dismissed": "dismissed"}


def forwards(apps, schema_editor):
    Old = apps.get_model("messaging", "Report")
    Message = apps.get_model("messaging", "Message")
    Report = apps.get_model("moderation", "Report")
    ContentType = apps.get_model("contenttypes", "ContentType")
    message_type, _ = ContentType.objects.get_or_create(app_label="messaging", model="message")
    for old in Old.objects.select_related("reporter").order_by("id").iterator():
        messages = Message.objects.filter(conversation_id=old.conversation_id).select_related(
            "sender"
        )
        theirs = messages.exclude(sender_id=old.reporter_id)
        message = (
            theirs.filter(created_at__lte=old.created_at).order_by("-id").first()
            or theirs.order_by("-id").first()
            or messages.order_by("-id").first()
        )
        if message is None:  # a conversation without messages: nothing to point at
            continue
        sender = message.sender.display_name or message.sender.username
        reason = REASON.get(old.reason)
        details = f"{reason}. {old.text}".strip() if reason else old.text
        report = Report.objects.create(
            target_type=message_type,
            target_id=message.pk,
            target_label=f"message: {sender}: {message.body[:40]}"[:300],
            category=CATEGORY.get(old.reason, "other"),
            details=details[:2000],
            reporter_id=old.reporter_id,
            reporter_email=old.reporter.email,
            status=STATUS.get(old.status, "open"),
            closed_at=old.reviewed_at,
        )
        # created_at is auto_now_add: set the original date afterwards. Closed reports have no
        # outcome and count as e-mailed: their reporters were never promised an e-mail.
        Report.objects.filter(pk=report.pk).update(
            created_at=old.created_at,
            emailed_at=old.reviewed_at if old.status != "open" else None,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("messaging", "0002_message_hidden_at"),
        ("moderation", "0003_report_outcome_and_one_open_per_reporter"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
