"""Who is listening to the radio: `u:<id>` when signed in, else a random id kept in the
Django session.

analytics.tokens.listener_key hashes an anonymous visitor's session key, or their IP and
browser, with the UTC day: fine for counting plays, wrong for the radio, whose stations,
plays and feedback belong to one listener. With it a station was a 404 after midnight UTC
and after signing in, and two people behind one address with the same browser shared each
other's stations. So the radio gives an anonymous listener an id of their own ("r:<hex>")
when they start a station or tune in, and moves everything it holds to `u:<id>` when they
sign in (radio.signals, services.move_listener).
"""

import secrets

from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest, Least

from analytics import tokens

from .models import Feedback, ListenerAffinity, RadioPlay, RadioSession
from .services import AFFINITY_LIMIT

SESSION_KEY = "radio_listener"


def listener_key(request, *, create: bool = False) -> str:
    """This listener's radio key. Without create=True a visitor with no radio id yet gets the
    analytics key, which owns no radio rows made since: their lookups find nothing (404)."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"u:{user.pk}"
    session = getattr(request, "session", None)
    if session is None:
        return tokens.listener_key(request)
    key = session.get(SESSION_KEY)
    if key is None and create:
        key = session[SESSION_KEY] = "r:" + secrets.token_hex(12)
    return key or tokens.listener_key(request)


def move_listener(*, from_key: str, user) -> None:
    """Everything the radio holds for an anonymous listener becomes the account's: stations,
    plays, feedback and affinities (added to the account's own, within the limit). A live
    slot the account already joined keeps the anonymous play where it is (one play per
    listener and slot)."""
    to_key = f"u:{user.pk}"
    limit = Value(AFFINITY_LIMIT)
    low = Value(-AFFINITY_LIMIT)
    with transaction.atomic():
        RadioSession.objects.filter(listener_key=from_key).update(listener_key=to_key, user=user)
        RadioPlay.objects.filter(listener_key=from_key).exclude(
            slot__in=RadioPlay.objects.filter(listener_key=to_key, slot__isnull=False).values(
                "slot"
            )
        ).update(listener_key=to_key, user=user)
        Feedback.objects.filter(listener_key=from_key, play__listener_key=to_key).update(
            listener_key=to_key
        )
        for row in ListenerAffinity.objects.filter(listener_key=from_key):
            moved = ListenerAffinity.objects.filter(
                listener_key=to_key, dimension=row.dimension, value=row.value
            ).update(weight=Least(Greatest(F("weight") + row.weight, low), limit))
            if moved:
                row.delete()
            else:
                ListenerAffinity.objects.filter(pk=row.pk).update(listener_key=to_key)
