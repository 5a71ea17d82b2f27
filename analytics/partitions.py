"""Monthly partitions of PlayEvent on PostgreSQL (migration 0004_playevent_partitions).

`analytics_playevent` is partitioned by range of `started_at`: one table per UTC month
(`analytics_playevent_y2026m11`), plus `analytics_playevent_default` for any month nobody
created yet, so an event is never refused. `ensure_months` creates the coming months ahead of
time (beat, daily; `manage.py create_play_partitions`); a month whose events already landed in
the default partition is created by moving them out of it. SQLite keeps one plain table.
"""

from datetime import UTC, date, datetime

from django.db import connection, transaction
from django.utils import timezone

TABLE = "analytics_playevent"
DEFAULT = f"{TABLE}_default"


def is_partitioned() -> bool:
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_partitioned_table WHERE partrelid = to_regclass(%s)", [TABLE]
        )
        return cursor.fetchone() is not None


def month_of(moment: date | datetime) -> datetime:
    return datetime(moment.year, moment.month, 1, tzinfo=UTC)


def next_month(month: datetime) -> datetime:
    return month.replace(year=month.year + month.month // 12, month=month.month % 12 + 1)


def name_of(month: datetime) -> str:
    return f"{TABLE}_y{month:%Y}m{month:%m}"


def create_month(cursor, month: datetime) -> bool:
    """Create the partition of `month` unless it exists, moving its rows out of the default
    partition. Run in a transaction. Returns whether it was created."""
    name = name_of(month)
    cursor.execute("SELECT to_regclass(%s)", [name])
    if cursor.fetchone()[0] is not None:
        return False
    # Keep new events out of the default partition while its rows of this month move: one
    # inserted meanwhile would make ATTACH fail (and would be lost from the month otherwise).
    cursor.execute(f"LOCK TABLE {DEFAULT} IN EXCLUSIVE MODE")
    bounds = [month, next_month(month)]
    cursor.execute(f"CREATE TABLE {name} (LIKE {TABLE} INCLUDING DEFAULTS)")
    cursor.execute(
        f"WITH moved AS (DELETE FROM {DEFAULT} WHERE started_at >= %s AND started_at < %s"
        f" RETURNING *) INSERT INTO {name} SELECT * FROM moved",
        bounds,
    )
    low, high = (f"'{moment.isoformat()}'" for moment in bounds)  # ours, not user input
    cursor.execute(
        f"ALTER TABLE {TABLE} ATTACH PARTITION {name} FOR VALUES FROM ({low}) TO ({high})"
    )
    return True


def ensure_months(*, ahead: int = 2, start: date | datetime | None = None) -> list[str]:
    """Partitions for `start`'s month (default: this month) and the `ahead` months after it;
    returns the names of those created (none on SQLite)."""
    if not is_partitioned():
        return []
    created = []
    month = month_of(start or timezone.now())
    with transaction.atomic(), connection.cursor() as cursor:
        for _ in range(ahead + 1):
            if create_month(cursor, month):
                created.append(name_of(month))
            month = next_month(month)
    return created


def partition_of(event_id: int) -> str:
    """The partition holding one event (for tests and curious operators)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT tableoid::regclass::text FROM {TABLE} WHERE id = %s", [event_id])
        return cursor.fetchone()[0]
