from django.contrib import admin

from .models import Artist


@admin.register(Artist)
class ArtistAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "user", "location", "is_suspended", "created_at")
    list_filter = ("is_suspended", "open_to_collab", "created_at")
    search_fields = ("name", "slug", "user__email")
    list_select_related = ("user",)
    raw_id_fields = ("user",)
