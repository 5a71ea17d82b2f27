"""Audience segments: the listeners of the last 28 complete UTC days, by how many of those
days they came back (super 8+, moderate 3–7, light 1–2).

Which days a listener played is only in the raw events, so this is the one number the
dashboard cannot take from a rollup. It is computed at most once per subject and day, in one
grouped query bounded to those 28 days of that subject's counted plays, and kept in
SegmentSnapshot: a beat task computes it each night for everything played in the window, and a
dashboard opened before the task ran computes it once. The window ends yesterday; beacons for
its last day can still arrive until that day's play tokens expire (PLAY_TOKEN_TTL), so until
then a snapshot older than an hour is computed again. `rebuild_rollups` drops them all.
"""

from datetime import UTC, date, datetime, time, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from .models import DailyCount, Metric, PlayEvent, SegmentSnapshot
from .rollups import SCOPE_COLUMNS

DAYS = 28
REFRESH = timedelta(hours=1)
# (name, fewest days listened), most engaged first.
BANDS = (("Super listeners", 8), ("Moderate listeners", 3), ("Light listeners", 1))
FIELDS = ("super_listeners", "moderate_listeners", "light_listeners")


def window(on: date) -> tuple[date, date]:
    """The 28 complete days before `on`."""
    return on - timedelta(days=DAYS), on - timedelta(days=1)


def count(*, scope: str, scope_id: int, start: date, end: date) -> dict[str, int]:
    """Listeners per band, straight from counted PlayEvents of those days."""
    moments = (
        datetime.combine(start, time(), tzinfo=UTC),
        datetime.combine(end + timedelta(days=1), time(), tzinfo=UTC),
    )
    per_listener = (
        PlayEvent.objects.filter(
            counted=True,
            started_at__gte=moments[0],
            started_at__lt=moments[1],
            **{SCOPE_COLUMNS[scope]: scope_id},
        )
        .values("listener_key")
        .annotate(days=Count(TruncDate("started_at", tzinfo=UTC), distinct=True))
        .order_by()
    )
    (super_min, _), (moderate_min, _), _ = ((low, name) for name, low in BANDS)
    bands = (
        Q(days__gte=super_min),
        Q(days__gte=moderate_min, days__lt=super_min),
        Q(days__lt=moderate_min),
    )
    found = per_listener.aggregate(
        **{
            field: Count("listener_key", filter=band)
            for field, band in zip(FIELDS, bands, strict=True)
        }
    )
    return {field: found[field] or 0 for field in FIELDS}


def settled(kept: SegmentSnapshot) -> bool:
    """Final, or fresh enough. Beacons of the window's last day may arrive until its last play
    token expires: a snapshot computed before then is recomputed once it is an hour old."""
    final_from = datetime.combine(kept.day + timedelta(days=1), time(), tzinfo=UTC) + timedelta(
        seconds=settings.PLAY_TOKEN_TTL
    )
    return kept.computed_at >= final_from or kept.computed_at >= timezone.now() - REFRESH


def snapshot(*, scope: str, scope_id: int, on: date) -> SegmentSnapshot:
    """The segments of the 28 days before `on`: kept, or computed now and kept."""
    start, end = window(on)
    kept = SegmentSnapshot.objects.filter(scope=scope, scope_id=scope_id, day=end).first()
    if kept is not None and settled(kept):
        return kept
    counts = count(scope=scope, scope_id=scope_id, start=start, end=end)
    try:
        with transaction.atomic():
            fresh, _ = SegmentSnapshot.objects.update_or_create(
                scope=scope, scope_id=scope_id, day=end, defaults=counts
            )
            return fresh
    except IntegrityError:  # computed by someone else meanwhile: the same numbers
        return SegmentSnapshot.objects.get(scope=scope, scope_id=scope_id, day=end)


def compute_all(*, on: date) -> int:
    """Snapshots for every track, release and artist with listeners in the window."""
    start, end = window(on)
    subjects = (
        DailyCount.objects.filter(metric=Metric.LISTENERS, day__range=(start, end), value__gt=0)
        .values_list("scope", "scope_id")
        .distinct()
    )
    done = set(SegmentSnapshot.objects.filter(day=end).values_list("scope", "scope_id"))
    todo = [subject for subject in subjects if subject not in done]
    for scope, scope_id in todo:
        snapshot(scope=scope, scope_id=scope_id, on=on)
    return len(todo)
