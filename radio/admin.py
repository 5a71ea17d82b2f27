from django.contrib import admin

from .models import Feedback, LiveSlot, TimedComment


@admin.register(TimedComment)
class TimedCommentAdmin(admin.ModelAdmin):
    list_display = ("track", "author", "at_seconds", "body", "created_at", "hidden_at")
    list_filter = ("hidden_at",)
    search_fields = ("body", "author__username", "track__title")
    raw_id_fields = ("track", "author", "play")


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ("track", "kind", "reason", "at_seconds", "created_at")
    list_filter = ("kind", "reason")
    raw_id_fields = ("play", "track")


@admin.register(LiveSlot)
class LiveSlotAdmin(admin.ModelAdmin):
    list_display = ("starts_at", "ends_at", "track", "artist")
    raw_id_fields = ("track", "artist")
