"""How long the radio keeps what it knows of anonymous listeners.

An anonymous listener's stations (RadioSession) and tastes (ListenerAffinity) serve only their
own next picks; kept for ever, they would grow with every visitor. Their radio plays and
feedback stay: they are the artists' figures and the tracks' scores.
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from .models import ListenerAffinity, RadioPlay, RadioSession

ANONYMOUS_KEPT = timedelta(days=2)

_ANONYMOUS = ~Q(listener_key__startswith="u:")  # signed-in listeners are "u:<id>"


def prune_anonymous_listeners(*, now: datetime | None = None) -> tuple[int, int]:
    """Delete the stations and affinities of anonymous listeners silent for ANONYMOUS_KEPT
    (no station started or picked from, no radio play since). Returns (stations, affinities)."""
    cutoff = (now or timezone.now()) - ANONYMOUS_KEPT
    with transaction.atomic():
        stale = RadioSession.objects.filter(_ANONYMOUS, created_at__lt=cutoff).exclude(
            last_pick_at__gte=cutoff
        )
        # The plays stay (artists' figures): they only forget their station.
        RadioPlay.objects.filter(session__in=stale).update(session=None)
        sessions = stale.delete()[1].get(RadioSession._meta.label, 0)
        heard_lately = RadioPlay.objects.filter(
            listener_key=OuterRef("listener_key"), started_at__gte=cutoff
        )
        affinities = (
            ListenerAffinity.objects.filter(_ANONYMOUS)
            .exclude(Exists(heard_lately))
            .delete()[1]
            .get(ListenerAffinity._meta.label, 0)
        )
    return sessions, affinities
