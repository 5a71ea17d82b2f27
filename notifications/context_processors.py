"""The bell's unread count, for the header on every page: counted only if a page shows it."""

from django.utils.functional import SimpleLazyObject

from .services import unread_count


def notifications(request):
    user = request.user
    if not user.is_authenticated:
        return {"unread_notifications": 0}
    return {"unread_notifications": SimpleLazyObject(lambda: unread_count(user=user))}
