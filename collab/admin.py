from django.contrib import admin

from .models import Application, Call


class ApplicationInline(admin.TabularInline):
    model = Application
    extra = 0
    fields = ("applicant", "status", "created_at", "decided_at")
    readonly_fields = fields
    can_delete = False
    show_change_link = True


@admin.register(Call)
class CallAdmin(admin.ModelAdmin):
    list_display = ("title", "poster", "compensation", "deadline", "status", "created_at")
    list_filter = ("status", "compensation")
    search_fields = ("title", "poster__name", "poster__slug")
    list_select_related = ("poster",)
    raw_id_fields = ("poster", "reference_track")
    inlines = [ApplicationInline]


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ("applicant", "call", "status", "created_at")
    list_filter = ("status",)
    search_fields = ("applicant__name", "call__title")
    list_select_related = ("applicant", "call")
    raw_id_fields = ("call", "applicant", "tracks")
