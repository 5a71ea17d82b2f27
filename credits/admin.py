from django.contrib import admin

from radio.admin import ReadOnlyAdmin

from .models import Credit, ProposalShare, SplitProposal


@admin.register(Credit)
class CreditAdmin(ReadOnlyAdmin):
    """Read-only: credits change through their uploader and artist (credits/services.py keeps
    the page cache and waiting proposals right); staff suspend an abusive profile instead, whose
    credits then show nowhere."""

    list_display = ["artist", "role", "status", "track", "release", "created_at", "answered_at"]
    list_filter = ["status", "role"]
    search_fields = ["artist__name", "artist__slug", "track__title", "release__title"]
    list_select_related = ["artist", "track", "release"]
    readonly_fields = [f.name for f in Credit._meta.fields]


class ShareInline(admin.TabularInline):
    model = ProposalShare
    fields = ["artist", "basis_points", "answer", "answered_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(SplitProposal)
class SplitProposalAdmin(ReadOnlyAdmin):
    """The history of split changes: read-only for everyone (money follows it)."""

    list_display = ["__str__", "proposed_by", "status", "created_at", "decided_at"]
    list_filter = ["status"]
    search_fields = ["track__title", "release__title", "proposed_by__name"]
    list_select_related = ["proposed_by", "track", "release"]
    readonly_fields = [f.name for f in SplitProposal._meta.fields]
    inlines = [ShareInline]
