"""Staff see reported conversations only — never one nobody reported — read-only, with their
messages and reports. A report's status is the one thing staff change (actions below)."""

from django.contrib import admin
from django.db.models import Count, Exists, OuterRef, Q

from payments.admin import LookOnly  # no add, change or delete

from . import services
from .models import Conversation, Message, Report


def reported(queryset):
    return queryset.filter(Exists(Report.objects.filter(conversation=OuterRef("pk"))))


class MessageInline(LookOnly, admin.TabularInline):
    model = Message
    fields = ("created_at", "sender", "about", "body")
    readonly_fields = fields
    extra = 0
    ordering = ("id",)


class ReportInline(LookOnly, admin.TabularInline):
    model = Report
    fields = ("created_at", "reporter", "reason", "text", "status", "reviewed_at")
    readonly_fields = fields
    extra = 0


@admin.register(Conversation)
class ConversationAdmin(LookOnly, admin.ModelAdmin):
    list_display = ("__str__", "user_low", "user_high", "last_message_at", "open_reports")
    fields = ("user_low", "user_high", "created_at", "last_message_at")
    readonly_fields = fields
    inlines = (ReportInline, MessageInline)
    list_select_related = ("user_low", "user_high")

    def get_queryset(self, request):
        return reported(super().get_queryset(request)).annotate(
            open_report_count=Count("reports", filter=Q(reports__status=Report.Status.OPEN))
        )

    @admin.display(description="open reports", ordering="open_report_count")
    def open_reports(self, conversation: Conversation) -> int:
        return conversation.open_report_count


@admin.register(Report)
class ReportAdmin(LookOnly, admin.ModelAdmin):
    list_display = ("__str__", "conversation", "reporter", "reason", "status", "created_at")
    list_filter = ("status", "reason")
    fields = ("conversation", "reporter", "reason", "text", "status", "created_at", "reviewed_at")
    readonly_fields = fields
    list_select_related = ("conversation", "reporter")
    actions = ("mark_actioned", "mark_dismissed")

    @admin.action(description="Mark as action taken", permissions=["view"])
    def mark_actioned(self, request, queryset):
        done = services.review_reports(reports=queryset, status=Report.Status.ACTIONED)
        self.message_user(request, f"{done} report(s) marked as action taken.")

    @admin.action(description="Mark as dismissed", permissions=["view"])
    def mark_dismissed(self, request, queryset):
        done = services.review_reports(reports=queryset, status=Report.Status.DISMISSED)
        self.message_user(request, f"{done} report(s) dismissed.")
