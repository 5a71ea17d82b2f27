from django.contrib import admin
from django.utils.html import format_html_join

from moderation.adminpages import moderation_action

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
    actions = [
        moderation_action(
            "take_down",
            restore=False,
            hidden_field="taken_down_at",
            description="Take down (hidden and unembeddable at once; asks for a note)",
            title="Take down",
            done="Took down {count} playlist(s).",
        ),
        moderation_action(
            "restore",
            restore=True,
            hidden_field="taken_down_at",
            description="Restore taken-down playlists (asks for a note)",
            title="Restore",
            done="Restored {count} playlist(s).",
        ),
    ]

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
