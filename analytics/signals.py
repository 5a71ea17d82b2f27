"""Keep follows, saves and playlist adds per day as their rows come and go (engagement.py).

Deletions are counted before the row goes (pre_delete: the row and its track are still
there to read), which holds for cascades too: deleting a user, a playlist or a track sends
pre_delete for every row it takes with it before deleting any.
"""

from django.db.models.signals import post_delete, post_save, pre_delete
from django.dispatch import receiver

from tracks.models import Release

from . import engagement
from .models import Scope


def _created(*, instance, created: bool, raw: bool = False, **kwargs) -> None:
    if created and not raw:
        engagement.count_row(instance, sign=1)


def _deleting(*, instance, **kwargs) -> None:
    engagement.count_row(instance, sign=-1)


for _model in engagement.COUNTED:
    post_save.connect(_created, sender=_model, dispatch_uid=f"engagement-made-{_model.__name__}")
    pre_delete.connect(_deleting, sender=_model, dispatch_uid=f"engagement-gone-{_model.__name__}")


@receiver(post_delete, sender=Release)
def forget_deleted_release(*, instance: Release, **kwargs) -> None:
    engagement.forget(scope=Scope.RELEASE, scope_id=instance.pk)
