"""Follows, saves and playlist adds per day (DailyCount), for tracks, releases and artists.

A follow, save or playlist item counts on the UTC day it was made, for as long as it exists:
creating it adds 1 to that day, deleting it takes 1 back from that same day. The numbers are
therefore always a recount of the rows that exist, and both ways use one query shape
(`_grouped`): the rows grouped by scope, id and day, joined to their track or release for the
release and artist. Signals (analytics/signals.py) count single rows; bulk paths count a
whole queryset in one statement and mute the per-row signals (`muted`).
"""

import contextlib
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from django.db import connection, transaction
from django.db.models import Count, F, Model, QuerySet, Value
from django.db.models.functions import TruncDate

from artists.models import Follow
from playlists.models import PlaylistItem, SavedRelease, SavedTrack

from .models import DailyCount, Metric, Scope


@dataclass(frozen=True)
class Counted:
    """How one model's rows are counted: its metric, date field and (scope, id path) pairs."""

    metric: str
    made: str
    scopes: tuple[tuple[str, str], ...]


_TRACK_SCOPES = (
    (Scope.TRACK, "track_id"),
    (Scope.RELEASE, "track__release_id"),
    (Scope.ARTIST, "track__artist_id"),
)
COUNTED: dict[type[Model], Counted] = {
    Follow: Counted(Metric.FOLLOWS, "created_at", ((Scope.ARTIST, "artist_id"),)),
    SavedTrack: Counted(Metric.SAVES, "created_at", _TRACK_SCOPES),
    SavedRelease: Counted(
        Metric.SAVES,
        "created_at",
        ((Scope.RELEASE, "release_id"), (Scope.ARTIST, "release__artist_id")),
    ),
    PlaylistItem: Counted(Metric.PLAYLIST_ADDS, "added_at", _TRACK_SCOPES),
}
METRICS = (Metric.FOLLOWS, Metric.SAVES, Metric.PLAYLIST_ADDS)
_COLUMNS = "scope, scope_id, day, metric, value"
_muted: ContextVar[frozenset] = ContextVar("engagement_muted", default=frozenset())


def _grouped(rows: QuerySet, scope: str, path: str, sign: int) -> tuple[str, tuple]:
    """SELECT (scope, id, day, metric, ±count) for `rows`, one row per id and day."""
    counted = COUNTED[rows.model]
    query = (
        rows.filter(**{f"{path}__isnull": False})
        .annotate(
            e_scope=Value(scope),
            e_id=F(path),
            e_day=TruncDate(counted.made, tzinfo=UTC),
            e_metric=Value(counted.metric),
        )
        .values("e_scope", "e_id", "e_day", "e_metric")
        .annotate(e_value=Count("pk") * Value(sign))
        .values_list("e_scope", "e_id", "e_day", "e_metric", "e_value")
        .order_by()
    )
    return query.query.sql_with_params()


def _add(cursor, select: str, params: tuple) -> int:
    """Add the (scope, id, day, metric, value) rows `select` gives to DailyCount."""
    table = DailyCount._meta.db_table
    # "WHERE true": SQLite needs it to parse an upsert whose SELECT has no WHERE.
    cursor.execute(
        f"INSERT INTO {table} ({_COLUMNS}) {select} WHERE true"
        " ON CONFLICT (scope, scope_id, metric, day)"
        f" DO UPDATE SET value = {table}.value + excluded.value",
        params,
    )
    return cursor.rowcount


def count_rows(rows: QuerySet, *, sign: int) -> None:
    """Add (sign=1) or take back (sign=-1) `rows` on the days they were made.

    Call it after creating rows and before deleting them (it reads them and their track).
    """
    with connection.cursor() as cursor:
        for scope, path in COUNTED[rows.model].scopes:
            sql, params = _grouped(rows, scope, path, sign)
            _add(cursor, f"SELECT * FROM ({sql}) grouped", params)


def count_row(instance: Model, *, sign: int) -> None:
    """One row made or about to be deleted (the signals' entry point)."""
    model = type(instance)
    if model not in _muted.get():
        count_rows(model.objects.filter(pk=instance.pk), sign=sign)


@contextlib.contextmanager
def muted(*models: type[Model]):
    """Per-row counting off for `models`: the caller counts the rows in bulk itself."""
    token = _muted.set(_muted.get() | set(models))
    try:
        yield
    finally:
        _muted.reset(token)


def move_track(*, track_id: int, old_release_id: int | None, new_release_id: int | None):
    """A track changed release: its saves and playlist adds follow it to the new one."""
    if old_release_id == new_release_id:
        return
    with connection.cursor() as cursor:
        for model in (SavedTrack, PlaylistItem):
            rows = model.objects.filter(track_id=track_id)
            for release_id, sign in ((old_release_id, -1), (new_release_id, 1)):
                if release_id is not None:
                    sql, params = _grouped(rows, Scope.RELEASE, "track_id", sign)
                    select = f"SELECT e_scope, %s, e_day, e_metric, e_value FROM ({sql}) grouped"
                    _add(cursor, select, (release_id, *params))


def forget(*, scope: str, scope_id: int) -> None:
    """A release is deleted: its engagement rows go (its tracks keep theirs, now release-less)."""
    DailyCount.objects.filter(scope=scope, scope_id=scope_id, metric__in=METRICS).delete()


@transaction.atomic
def rebuild(*, since: date | None = None) -> int:
    """Every follow, save and playlist-add count again, from the rows that exist."""
    stale = DailyCount.objects.filter(metric__in=METRICS)
    if since:
        stale = stale.filter(day__gte=since)
    stale.delete()
    written = 0
    with connection.cursor() as cursor:
        for model, counted in COUNTED.items():
            rows = model.objects.all()
            if since:
                start = datetime.combine(since, time(), tzinfo=UTC)
                rows = rows.filter(**{f"{counted.made}__gte": start})
            for scope, path in counted.scopes:
                # Saves of tracks and of releases share rows: _add adds, never overwrites.
                sql, params = _grouped(rows, scope, path, 1)
                written += _add(cursor, f"SELECT * FROM ({sql}) grouped", params)
    return written
