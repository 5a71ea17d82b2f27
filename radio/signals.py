"""Signing in keeps the radio: what the anonymous listener held moves to the account."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from .listeners import SESSION_KEY, move_listener


@receiver(user_logged_in)
def adopt_anonymous_listener(sender, request, user, **kwargs) -> None:
    session = getattr(request, "session", None)
    anonymous = session.pop(SESSION_KEY, None) if session is not None else None
    if anonymous:
        move_listener(from_key=anonymous, user=user)
