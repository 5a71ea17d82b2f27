"""The moderation queue and the audit log. Reports are read-only: staff act on them only through
the actions below, each asking for a note on an intermediate page (adminpages.py)."""

from datetime import timedelta

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, Count, IntegerField, OuterRef, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from payments.admin import LookOnly  # no add, change or delete

from . import services
from .adminpages import TargetColumns, note_form, note_page, noted_action
from .models import AuditEntry, Report

Action = AuditEntry.Action

# Queue action → (button and page title, list action description).
QUEUE_ACTIONS = {
    Action.TAKE_DOWN: "Take down",
    Action.RESTORE: "Restore",
    Action.WARN: "Warn the owner",
    Action.SUSPEND: "Suspend the owner",
    Action.DISMISS: "Dismiss",
}


class AgeFilter(admin.SimpleListFilter):
    title = "age"
    parameter_name = "age"

    def lookups(self, request, model_admin):
        return (("day", "Under a day"), ("week", "1–7 days"), ("older", "Older than 7 days"))

    def queryset(self, request, queryset):
        now = timezone.now()
        day, week = now - timedelta(days=1), now - timedelta(days=7)
        if self.value() == "day":
            return queryset.filter(created_at__gt=day)
        if self.value() == "week":
            return queryset.filter(created_at__lte=day, created_at__gt=week)
        if self.value() == "older":
            return queryset.filter(created_at__lte=week)
        return queryset


def _queue_action(action: str):
    """The list action for one queue action (the same service as the change page's button)."""

    def run(model_admin, request, queryset):
        return noted_action(
            model_admin,
            request,
            queryset.filter(status=Report.Status.OPEN),
            action=action,
            title=QUEUE_ACTIONS[action],
            run=lambda report, note: _act(request, report, action, note),
            done=f"{QUEUE_ACTIONS[action]}: done for {{count}} report(s).",
        )

    run.__name__ = action
    return admin.action(
        description=f"{QUEUE_ACTIONS[action]} (asks for a note)", permissions=["view"]
    )(run)


def _act(request, report: Report, action: str, note: str) -> None:
    report.refresh_from_db(fields=["status"])
    if report.status != Report.Status.OPEN:  # closed meanwhile, with another on its target
        return
    services.act_on_report(report=report, action=action, actor=request.user, note=note)


@admin.register(Report)
class ReportAdmin(TargetColumns, LookOnly, admin.ModelAdmin):
    """The queue: open reports first (oldest complaints are not buried), then the rest."""

    list_display = (
        "__str__",
        "status",
        "category",
        "target_links",
        "reports_on_target",
        "reporter_shown",
        "created_at",
    )
    list_filter = ("status", "category", AgeFilter)
    search_fields = ("target_label", "details", "reporter__email", "reporter_email")
    list_select_related = ("reporter",)
    fields = (
        "act_buttons",
        "status",
        "category",
        "target_links",
        "reports_on_target",
        "details",
        "reporter_shown",
        "created_at",
        "closed_at",
        "outcome_shown",
        "audit_entries_shown",
    )
    readonly_fields = fields
    actions = tuple(_queue_action(action) for action in QUEUE_ACTIONS)

    def get_queryset(self, request):
        same_target = (
            Report.objects.filter(
                target_type=OuterRef("target_type"), target_id=OuterRef("target_id")
            )
            .order_by()
            .values("target_type")
            .annotate(n=Count("id"))
            .values("n")
        )
        return (
            super()
            .get_queryset(request)
            .annotate(target_reports=Coalesce(Subquery(same_target), 0))
        )

    def get_ordering(self, request):
        # Open reports first, newest first within each (an expression: ModelAdmin.ordering may
        # only name fields).
        open_first = Case(
            When(status=Report.Status.OPEN, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
        return (open_first.asc(), "-created_at", "-id")

    @admin.display(description="reports on it", ordering="target_reports")
    def reports_on_target(self, report: Report) -> int:
        return report.target_reports

    @admin.display(description="outcome")
    def outcome_shown(self, report: Report) -> str:
        return Action(report.outcome).label if report.outcome in Action.values else "—"

    @admin.display(description="reporter")
    def reporter_shown(self, report: Report) -> str:
        if report.reporter is not None:
            return str(report.reporter.email or report.reporter)
        return f"{report.reporter_email} (not signed in)"

    @admin.display(description="act")
    def act_buttons(self, report: Report) -> str:
        if report.status != Report.Status.OPEN:
            return "Closed: see the outcome and the audit log below."
        return format_html_join(
            " ",
            '<a class="button" href="{}">{}</a>',
            (
                (reverse("admin:moderation_report_act", args=[report.pk, action]), label)
                for action, label in QUEUE_ACTIONS.items()
            ),
        )

    @admin.display(description="audit log")
    def audit_entries_shown(self, report: Report) -> str:
        entries = report.audit_entries.select_related("actor")
        return (
            format_html_join(
                "",
                '<div><a href="{}">{} {} by {}</a></div>',
                (
                    (
                        reverse("admin:moderation_auditentry_change", args=[e.pk]),
                        f"{e.at:%Y-%m-%d %H:%M}",
                        e.get_action_display(),
                        e.actor,
                    )
                    for e in entries
                ),
            )
            or "—"
        )

    def get_urls(self):
        act = path(
            "<int:report_id>/act/<str:action>/",
            self.admin_site.admin_view(self.act_view),
            name="moderation_report_act",
        )
        return [act, *super().get_urls()]

    def act_view(self, request, report_id: int, action: str):
        """The change page's buttons: the note page, then the action."""
        if not self.has_view_permission(request) or action not in QUEUE_ACTIONS:
            raise PermissionDenied
        report = get_object_or_404(Report, pk=report_id)
        change = reverse("admin:moderation_report_change", args=[report.pk])
        form = note_form(request)
        if request.method == "POST" and form.is_valid():
            try:
                closed = services.act_on_report(
                    report=report, action=action, actor=request.user, note=form.cleaned_data["note"]
                )
            except ValidationError as refusal:
                self.message_user(request, refusal.messages[0], messages.ERROR)
            else:
                self.message_user(
                    request,
                    f"{QUEUE_ACTIONS[action]}: done; {closed} report(s) closed.",
                    messages.SUCCESS,
                )
            return redirect(change)
        return note_page(request, self, form=form, title=QUEUE_ACTIONS[action], objects=[report])


@admin.register(AuditEntry)
class AuditEntryAdmin(TargetColumns, LookOnly, admin.ModelAdmin):
    """The audit log: read by staff, written only by moderation.actions."""

    list_display = ("at", "actor", "action", "target_links", "subject", "report_link", "note")
    list_filter = ("action",)
    search_fields = ("target_label", "note", "subject__email", "actor__email")
    list_select_related = ("actor", "subject", "report")
    date_hierarchy = "at"

    @admin.display(description="report")
    def report_link(self, entry: AuditEntry) -> str:
        if entry.report_id is None:
            return "—"
        url = reverse("admin:moderation_report_change", args=[entry.report_id])
        return format_html('<a href="{}">Report {}</a>', url, entry.report_id)
