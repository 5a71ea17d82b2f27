from django.contrib import admin, messages
from django.utils.html import format_html_join

from . import services
from .models import Collaborator, Playlist

SHOWN_ITEMS = 50


class CollaboratorInline(admin.TabularInline):
    model = Collaborator
    raw_id_fields = ("user",)
    extra = 0


@admin.register(Playlist)
class PlaylistAdmin(admin.ModelAdmin):
    list_display = ("title", "owner", "visibility", "item_count", "taken_down_at", "updated_at")
    list_filter = ("visibility", ("taken_down_at", admin.EmptyFieldListFilter))
    search_fields = ("title", "public_id", "owner__username", "owner__email")
    raw_id_fields = ("owner",)
    readonly_fields = (
        "public_id",
        "item_count",
        "first_tracks",
        "taken_down_at",
        "takedown_reason",
        "created_at",
        "updated_at",
    )
    fields = (
        "title",
        "public_id",
        "owner",
        "description",
        "visibility",
        "cover",
        "item_count",
        "first_tracks",
        ("taken_down_at", "takedown_reason"),
        ("created_at", "updated_at"),
    )
    inlines = (CollaboratorInline,)
    list_select_related = ("owner",)
    actions = ["take_down", "restore"]

    @admin.display(description=f"First {SHOWN_ITEMS} tracks")
    def first_tracks(self, playlist: Playlist):
        """Read-only: order keys are the services' business, and a 10,000-track inline would
        make the page unusable."""
        items = playlist.items.select_related("track__artist").order_by("rank")[:SHOWN_ITEMS]
        return format_html_join(
            "",
            '<div><a href="{}">{}</a> — {}</div>',
            (
                (item.track.get_absolute_url(), item.track.title, item.track.artist.name)
                for item in items
            ),
        )

    @admin.action(description="Take down (hidden and unembeddable at once)")
    def take_down(self, request, queryset):
        for playlist in queryset:
            services.take_down_playlist(
                playlist=playlist, by=request.user, reason="Taken down by moderation"
            )
        self.message_user(request, f"Took down {queryset.count()} playlist(s).", messages.SUCCESS)

    @admin.action(description="Restore taken-down playlists")
    def restore(self, request, queryset):
        for playlist in queryset.filter(taken_down_at__isnull=False):
            services.restore_playlist(playlist=playlist)
        self.message_user(request, "Restored.", messages.SUCCESS)
