"""The header's unread-messages count, next to the bell: counted only if a page shows it."""

from django.utils.functional import SimpleLazyObject

from .selectors import unread_total


def messaging(request):
    user = request.user
    if not user.is_authenticated:
        return {"unread_messages": 0}
    return {"unread_messages": SimpleLazyObject(lambda: unread_total(user=user))}
