"""Copyright claims in the admin: a queue filtered by status, each claim's page with its works
and history, and the actions (each asks for a note on a page of its own)."""

from datetime import timedelta

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect
from django.template.defaultfilters import linebreaksbr
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.timesince import timesince

from payments.admin import LookOnly  # no add, change or delete

from . import services
from .forms import NoteForm
from .models import CopyrightClaim

Status = CopyrightClaim.Status

# action → (button, what it does, the statuses it applies to, the service)
ACTIONS = {
    "take-down": (
        "Take down the works",
        "Every work the claim names is hidden (nothing is deleted) and each uploader is told, "
        "in the app and by e-mail, with a link to the counter-notice form.",
        (Status.RECEIVED,),
        services.take_down_works,
    ),
    "reject": (
        "Reject the claim",
        "Nothing changes on the site. The claimant is e-mailed your note as the reason.",
        (Status.RECEIVED,),
        services.reject_claim,
    ),
    "forward": (
        "Forward the counter-notice to the claimant",
        "The claimant is e-mailed every counter-notice again, with your note.",
        (Status.COUNTERED, Status.RESTORED),
        services.forward_counter_notices,
    ),
    "restore": (
        "Restore the works",
        "The works of every uploader who filed a counter-notice are shown again; the claimant "
        "and those uploaders are told.",
        (Status.COUNTERED,),
        services.restore_works,
    ),
}


class AgeFilter(admin.SimpleListFilter):
    """How long claims have waited: staff answer the oldest first."""

    title = "age"
    parameter_name = "age"
    DAYS = {"1": 1, "7": 7, "30": 30}

    def lookups(self, request, model_admin):
        return [(days, f"older than {days} day{'s' if days != '1' else ''}") for days in self.DAYS]

    def queryset(self, request, queryset):
        days = self.DAYS.get(self.value() or "")
        if days is None:
            return queryset
        return queryset.filter(created_at__lt=timezone.now() - timedelta(days=days))


@admin.register(CopyrightClaim)
class CopyrightClaimAdmin(LookOnly, admin.ModelAdmin):
    """The claim itself is what the claimant wrote: staff read it and act through ACTIONS
    (which need the permission to change claims)."""

    list_display = ("reference", "claimant_name", "organisation", "status", "works", "age")
    list_filter = ("status", AgeFilter)
    search_fields = ("reference", "claimant_name", "organisation", "email")
    date_hierarchy = "created_at"
    fieldsets = (
        (None, {"fields": ("reference", "status", "created_at", "next_steps")}),
        (
            "Claimant",
            {
                "fields": (
                    "claimant_name",
                    "organisation",
                    "email",
                    "postal_address",
                    "phone",
                    "capacity",
                    "signature",
                    "submitted_by",
                )
            },
        ),
        ("The claim", {"fields": ("work_description", "works_list")}),
        ("Counter-notices", {"fields": ("counter_notices_list",)}),
        ("History", {"fields": ("history",)}),
    )
    readonly_fields = ("next_steps", "works_list", "counter_notices_list", "history")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(work_count=Count("works"))

    def may_act(self, request) -> bool:
        return request.user.has_perm("takedowns.change_copyrightclaim")

    @admin.display(description="works", ordering="work_count")
    def works(self, claim):
        return claim.work_count

    @admin.display(description="age", ordering="created_at")
    def age(self, claim):
        return timesince(claim.created_at)

    @admin.display(description="actions")
    def next_steps(self, claim):
        links = [
            (reverse("admin:takedowns_claim_act", args=[claim.pk, slug]), button)
            for slug, (button, _, statuses, _) in ACTIONS.items()
            if claim.status in statuses
        ]
        if not links:
            return "Nothing left to do."
        return format_html_join(" ", '<a class="button" href="{}">{}</a>', links)

    @admin.display(description="works named")
    def works_list(self, claim):
        rows = []
        for work in claim.works.select_related("content_type", "owner"):
            target = work.target()
            url = target.get_absolute_url() if target is not None else ""
            if work.is_down_by_claim:
                state = "taken down by this claim"
            elif work.restored_at:
                state = "restored"
            else:
                state = "not taken down by this claim"
            rows.append((url, work.label, work.owner or "(account deleted)", state, work.url))
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                '<li><a href="{}">{}</a> — uploaded by {} — {}<br><small>as given: {}</small></li>',
                rows,
            ),
        )

    @admin.display(description="counter-notices")
    def counter_notices_list(self, claim):
        notices = claim.counter_notices.select_related("user")
        if not notices:
            return "None."
        return format_html_join(
            "",
            "<div><p><strong>{}</strong>, {} — signed “{}”{}</p><p>{}</p><p>Address: {}</p></div>",
            (
                (
                    notice.user,
                    notice.created_at.strftime("%Y-%m-%d %H:%M"),
                    notice.signature,
                    " — forwarded" if notice.forwarded_at else "",
                    linebreaksbr(notice.statement, autoescape=True),
                    linebreaksbr(notice.postal_address, autoescape=True),
                )
                for notice in notices
            ),
        )

    @admin.display(description="history")
    def history(self, claim):
        return format_html(
            "<ol>{}</ol>",
            format_html_join(
                "",
                "<li>{} — {}{}{}</li>",
                (
                    (
                        event.at.strftime("%Y-%m-%d %H:%M"),
                        event.get_kind_display(),
                        f" by {event.actor}" if event.actor else "",
                        f": {event.note}" if event.note else "",
                    )
                    for event in claim.events.select_related("actor")
                ),
            ),
        )

    def get_urls(self):
        act = self.admin_site.admin_view(self.act_view)
        return [
            path("<int:claim_id>/act/<slug:action>/", act, name="takedowns_claim_act"),
            *super().get_urls(),
        ]

    def act_view(self, request, claim_id: int, action: str):
        """The page that asks for the note, and does the action when it is sent."""
        if not self.may_act(request) or action not in ACTIONS:
            raise PermissionDenied
        claim = get_object_or_404(CopyrightClaim, pk=claim_id)
        button, explanation, statuses, service = ACTIONS[action]
        back = reverse("admin:takedowns_copyrightclaim_change", args=[claim.pk])
        form = NoteForm(request.POST if request.method == "POST" else None)
        if claim.status not in statuses:
            messages.error(request, f"This claim is {claim.get_status_display().lower()}.")
            return redirect(back)
        if form.is_valid():
            try:
                service(claim=claim, actor=request.user, note=form.cleaned_data["note"])
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, f"{button}: done.")
            return redirect(back)
        context = {
            **self.admin_site.each_context(request),
            "title": f"{button} — {claim.reference}",
            "claim": claim,
            "works": claim.works.all(),
            "explanation": explanation,
            "button": button,
            "form": form,
            "back": back,
            "opts": self.model._meta,
        }
        status = 400 if form.is_bound else 200
        return TemplateResponse(request, "admin/takedowns/act.html", context, status=status)
