from django.contrib import admin

from .models import BufferedBeacon, FallbackDay, PlayEvent


@admin.register(PlayEvent)
class PlayEventAdmin(admin.ModelAdmin):
    """Flagged plays: filter by "flagged: yes" (linked from the admin index as this model)."""

    list_display = (
        "started_at",
        "track",
        "listener_key",
        "source",
        "heard_seconds",
        "completion",
        "counted",
        "flagged",
        "flag_reason",
    )
    list_filter = ("flagged", "counted", "source", "completion")
    search_fields = ("listener_key", "track__title", "nonce")
    list_select_related = ("track",)
    date_hierarchy = "started_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(BufferedBeacon)
class BufferedBeaconAdmin(admin.ModelAdmin):
    """Beacons waiting for the drain; `via_fallback` ones arrived while Redis was down."""

    list_display = ("received_at", "via_fallback")
    list_filter = ("via_fallback",)

    def has_add_permission(self, request):
        return False


@admin.register(FallbackDay)
class FallbackDayAdmin(admin.ModelAdmin):
    """Days on which Redis was down and beacons were kept in the database instead."""

    list_display = ("day", "beacons")
    date_hierarchy = "day"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
