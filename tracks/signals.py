"""Cached pages must forget the catalogue whenever it changes (see backstage/pagecache.py)."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from artists.models import Artist
from backstage.pagecache import forget_cached_pages

from .models import Release, Rendition, Track


@receiver([post_save, post_delete], sender=Track)
@receiver([post_save, post_delete], sender=Release)
@receiver([post_save, post_delete], sender=Rendition)
@receiver([post_save, post_delete], sender=Artist)
def catalogue_changed(**kwargs) -> None:
    forget_cached_pages()
