"""Staff see reported conversations only — never one nobody reported — read-only, with their
messages and the reports on them. Reports are handled in the moderation queue
(moderation/admin.py): this page is where staff read the conversation around a message."""

from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Exists, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.html import format_html_join

from moderation.models import Report
from payments.admin import LookOnly  # no add, change or delete

from .models import Conversation, Message


def _reports_on(conversation) -> QuerySet[Report]:
    """Reports on messages of `conversation`: a conversation, or the OuterRef of the query
    around this one (the messages' subquery is one level further in: OuterRef(OuterRef(…)))."""
    return Report.objects.filter(
        target_type=ContentType.objects.get_for_model(Message),
        target_id__in=Message.objects.filter(conversation=conversation).values("id"),
    )


def reported(queryset):
    return queryset.filter(Exists(_reports_on(OuterRef(OuterRef("pk")))))


class MessageInline(LookOnly, admin.TabularInline):
    model = Message
    fields = ("created_at", "sender", "about", "body", "hidden_at")
    readonly_fields = fields
    extra = 0
    ordering = ("id",)


@admin.register(Conversation)
class ConversationAdmin(LookOnly, admin.ModelAdmin):
    list_display = ("__str__", "user_low", "user_high", "last_message_at", "open_reports")
    fields = ("user_low", "user_high", "created_at", "last_message_at", "reports")
    readonly_fields = fields
    inlines = (MessageInline,)
    list_select_related = ("user_low", "user_high")

    def get_queryset(self, request):
        open_reports = (
            _reports_on(OuterRef(OuterRef("pk")))
            .filter(status=Report.Status.OPEN)
            .order_by()
            .values("status")
            .annotate(n=Count("id"))
            .values("n")
        )
        return reported(super().get_queryset(request)).annotate(
            open_report_count=Coalesce(Subquery(open_reports), 0)
        )

    @admin.display(description="open reports", ordering="open_report_count")
    def open_reports(self, conversation: Conversation) -> int:
        return conversation.open_report_count

    @admin.display(description="reports")
    def reports(self, conversation: Conversation) -> str:
        reports = _reports_on(conversation)
        return (
            format_html_join(
                "",
                '<div><a href="{}">{}</a> — {}</div>',
                (
                    (
                        reverse("admin:moderation_report_change", args=[r.pk]),
                        r,
                        r.get_status_display(),
                    )
                    for r in reports
                ),
            )
            or "—"
        )
