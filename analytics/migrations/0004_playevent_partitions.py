"""PlayEvent partitioned by month of started_at, on PostgreSQL only (SQLite keeps its table).

PostgreSQL 15 allows no identity column on a partitioned table, so `id` takes its values from
a sequence owned by the column (Django reads and resets it through pg_get_serial_sequence, as
for a serial). The primary key must include the partition key: (id, started_at); Django still
treats `id` alone as the primary key, and ids stay unique because one sequence issues them.
The indexes are the ones Django made for the model, recreated with the same names on the parent
(PostgreSQL creates them on every partition). Existing rows are copied over.
"""

from django.db import migrations

TABLE = "analytics_playevent"
OLD = f"{TABLE}_unpartitioned"


def partition(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from django.utils import timezone

    from analytics.partitions import DEFAULT, create_month, month_of, next_month

    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema()"
            " AND tablename = %s AND indexname <> %s",
            [TABLE, f"{TABLE}_pkey"],
        )
        indexes = [row[0] for row in cursor.fetchall()]
        cursor.execute(f"ALTER TABLE {TABLE} RENAME TO {OLD}")
        cursor.execute(f"CREATE TABLE {TABLE} (LIKE {OLD}) PARTITION BY RANGE (started_at)")
        cursor.execute(f"CREATE SEQUENCE {TABLE}_id")
        cursor.execute(f"ALTER TABLE {TABLE} ALTER id SET DEFAULT nextval('{TABLE}_id')")
        cursor.execute(f"CREATE TABLE {DEFAULT} PARTITION OF {TABLE} DEFAULT")
        month = month_of(timezone.now())
        for _ in range(2):  # this month and the next; the beat task keeps ahead from here
            create_month(cursor, month)
            month = next_month(month)
        cursor.execute(f"INSERT INTO {TABLE} SELECT * FROM {OLD}")
        cursor.execute(f"SELECT setval('{TABLE}_id', COALESCE(MAX(id), 0) + 1, false) FROM {OLD}")
        cursor.execute(f"DROP TABLE {OLD}")  # and its identity sequence, analytics_playevent_id_seq
        cursor.execute(f"ALTER SEQUENCE {TABLE}_id RENAME TO {TABLE}_id_seq")
        cursor.execute(f"ALTER SEQUENCE {TABLE}_id_seq OWNED BY {TABLE}.id")
        cursor.execute(
            f"ALTER TABLE {TABLE} ADD CONSTRAINT {TABLE}_pkey PRIMARY KEY (id, started_at)"
        )
        for definition in indexes:
            cursor.execute(definition)


class Migration(migrations.Migration):
    dependencies = [("analytics", "0003_fallback_days")]

    # Not reversible in place: going back keeps the partitioned table, which the model of
    # 0002 reads and writes the same way.
    operations = [migrations.RunPython(partition, migrations.RunPython.noop)]
