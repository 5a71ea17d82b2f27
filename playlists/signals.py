"""Keep playlists' track counts true when a track is deleted (its items go with it)."""

from django.db import transaction
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.db.models.signals import pre_delete
from django.dispatch import receiver

from tracks.models import Track

from .models import Playlist, PlaylistItem


@receiver(pre_delete, sender=Track)
def recount_playlists_of_deleted_track(*, instance: Track, **kwargs) -> None:
    playlist_ids = list(
        PlaylistItem.objects.filter(track=instance).values_list("playlist_id", flat=True)
    )
    if playlist_ids:
        transaction.on_commit(lambda: recount(playlist_ids))


def recount(playlist_ids: list[int]) -> None:
    counts = (
        PlaylistItem.objects.filter(playlist=OuterRef("pk"))
        .values("playlist")
        .annotate(n=Count("id"))
        .values("n")
    )
    Playlist.objects.filter(id__in=playlist_ids).update(item_count=Coalesce(Subquery(counts), 0))
