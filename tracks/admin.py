from django.contrib import admin, messages

from moderation.adminpages import moderation_action

from . import services
from .models import Release, Rendition, Track, Upload


class RenditionInline(admin.TabularInline):
    model = Rendition
    extra = 0
    readonly_fields = ("format", "file", "size", "bitrate")
    can_delete = False


class TakenDownFilter(admin.SimpleListFilter):
    title = "taken down"
    parameter_name = "taken_down"

    def lookups(self, request, model_admin):
        return (("yes", "Taken down"), ("no", "Available"))

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(taken_down_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(taken_down_at__isnull=True)
        return queryset


@admin.register(Track)
class TrackAdmin(admin.ModelAdmin):
    list_display = (
        "title",
        "artist",
        "release",
        "status",
        "visibility",
        "taken_down_at",
        "duration",
        "created_at",
    )
    list_filter = ("status", "visibility", TakenDownFilter, "licence", "created_at")
    search_fields = ("title", "artist__name", "artist__slug", "public_id", "original_filename")
    list_select_related = ("artist", "release")
    readonly_fields = (
        "public_id",
        "status",
        "status_message",
        "original",
        "original_filename",
        "original_size",
        "duration",
        "codec",
        "sample_rate",
        "channels",
        "bitrate",
        "loudness_lufs",
        "embedded_tags",
        "processing_attempts",
        "processing_started_at",
        "taken_down_at",
        "takedown_reason",
        "created_at",
        "updated_at",
    )
    exclude = ("peaks", "edited_fields")
    inlines = [RenditionInline]
    actions = [
        moderation_action(
            "take_down",
            restore=False,
            hidden_field="taken_down_at",
            description="Take down (unplayable everywhere at once; asks for a note)",
            title="Take down",
            done="Took down {count} track(s).",
        ),
        moderation_action(
            "restore",
            restore=True,
            hidden_field="taken_down_at",
            description="Restore taken-down tracks (asks for a note)",
            title="Restore",
            done="Restored {count} track(s).",
        ),
        "reprocess",
    ]
    date_hierarchy = "created_at"

    @admin.action(description="Reprocess audio (failed or ready tracks)")
    def reprocess(self, request, queryset):
        count = 0
        for track in queryset.exclude(status=Track.Status.PROCESSING):
            services.retry_processing(track=track)
            count += 1
        self.message_user(request, f"Sent {count} track(s) to processing.", messages.SUCCESS)


@admin.register(Release)
class ReleaseAdmin(admin.ModelAdmin):
    list_display = ("title", "artist", "kind", "visibility", "release_date", "taken_down_at")
    list_filter = ("kind", "visibility", TakenDownFilter)
    search_fields = ("title", "artist__name", "public_id")
    list_select_related = ("artist",)
    readonly_fields = ("public_id", "created_at", "updated_at")


@admin.register(Upload)
class UploadAdmin(admin.ModelAdmin):
    list_display = ("filename", "artist", "state", "declared_size", "created_at")
    list_filter = ("state",)
    search_fields = ("filename", "artist__name")
    readonly_fields = [f.name for f in Upload._meta.fields]
