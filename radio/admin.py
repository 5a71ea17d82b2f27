from django import forms
from django.contrib import admin
from django.contrib.admin.helpers import ActionForm
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.text import Truncator

from moderation.adminpages import moderation_action
from tracks.templatetags.music import clock

from . import exposure
from .models import ArtistExposure, Feedback, LiveSlot, TimedComment


class HideActionForm(ActionForm):
    note = forms.CharField(
        required=False,
        max_length=400,
        label="Note (why)",
        help_text="Needed to hide or show comments (else the next page asks for it).",
    )


class HiddenFilter(admin.SimpleListFilter):
    title = "hidden"
    parameter_name = "hidden"

    def lookups(self, request, model_admin):
        return (("yes", "Hidden"), ("no", "Shown"))

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(hidden_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(hidden_at__isnull=True)
        return queryset


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written only by the radio's services: staff look, never edit."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(TimedComment)
class TimedCommentAdmin(admin.ModelAdmin):
    """Timed comments: hide with a note (they leave track pages at once) or unhide."""

    list_display = (
        "excerpt", "track", "author", "moment", "created_at", "hidden_at", "hidden_note"
    )  # fmt: skip
    list_filter = (HiddenFilter, "created_at")
    search_fields = ("body", "author__username", "author__email", "track__title")
    list_select_related = ("track", "author")
    # Moderators hide or show a comment (with the note); its words stay the author's.
    readonly_fields = ("track", "author", "play", "at_seconds", "body", "created_at", "hidden_at")
    date_hierarchy = "created_at"
    action_form = HideActionForm
    actions = (
        moderation_action(
            "hide",
            restore=False,
            hidden_field="hidden_at",
            description="Hide the selected comments (with the note)",
            title="Hide comments",
            done=lambda n: f"{n} comment{'s' if n != 1 else ''} hidden.",
            required_message="Write a note saying why these comments are hidden.",
        ),
        moderation_action(
            "unhide",
            restore=True,
            hidden_field="hidden_at",
            description="Show the selected comments again (with the note)",
            title="Show comments again",
            done=lambda n: f"{n} comment{'s' if n != 1 else ''} shown again.",
        ),
    )

    def has_add_permission(self, request):
        return False  # listeners write them, on the track page or the radio panel

    @admin.display(description="comment")
    def excerpt(self, comment: TimedComment) -> str:
        return Truncator(comment.body).chars(80)

    @admin.display(description="at", ordering="at_seconds")
    def moment(self, comment: TimedComment) -> str:
        return clock(comment.at_seconds)


@admin.register(Feedback)
class FeedbackAdmin(ReadOnlyAdmin):
    """Listeners' likes, dislikes and skips: read only (they move scores and affinities)."""

    list_display = ("track", "kind", "reason", "at_seconds", "listener_key", "created_at")
    list_filter = ("kind", "reason", "created_at")
    search_fields = ("track__title", "listener_key")
    list_select_related = ("track",)
    date_hierarchy = "created_at"


@admin.register(ArtistExposure)
class ExposureReportAdmin(ReadOnlyAdmin):
    """The exposure report, where the artist exposure list would be: artists in deciles by
    plays outside the radio against their share of the hours heard on the radio."""

    def changelist_view(self, request, extra_context=None):
        if request.method == "POST" and "recompute" in request.POST:
            count = exposure.refresh_exposure()
            self.message_user(request, f"Recomputed for {count} artist{'s' if count != 1 else ''}.")
            return redirect(request.path)
        rows = exposure.exposure_report()
        return TemplateResponse(
            request,
            "admin/radio/exposure_report.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": "Exposure report",
                "rows": rows,
                "refreshed_at": exposure.last_refreshed(),
                "window_days": exposure.WINDOW.days,
                "artists": sum(row.artists for row in rows),
            },
        )


@admin.register(LiveSlot)
class LiveSlotAdmin(admin.ModelAdmin):
    list_display = ("starts_at", "ends_at", "track", "artist")
    raw_id_fields = ("track", "artist")
