"""Full-text search vectors, on PostgreSQL only (SQLite searches with icontains instead).

Each searchable table gets a `search_vector` tsvector column kept current by a trigger, and a GIN
index over it. The column is deliberately not on the models: Django never reads or writes it,
and SQLite stays untouched. A trigger rather than a generated column, because PostgreSQL refuses
to change the type of a column a generated column reads (a future `max_length` change on a
title would fail to migrate). The 'simple' configuration: no stemming or stop words, so names
in any language match as typed.
"""

from django.db import migrations

# table -> weight -> SQL expressions over NEW (A counts most; ranking uses ts_rank's defaults).
VECTORS = {
    "tracks_track": {
        "A": ["NEW.title"],
        "B": ["NEW.genre", "NEW.tags::text"],
        "D": ["NEW.credits"],
    },
    "tracks_release": {"A": ["NEW.title"], "D": ["NEW.description"]},
    "artists_artist": {"A": ["NEW.name"], "C": ["NEW.location"], "D": ["NEW.bio"]},
    "playlists_playlist": {"A": ["NEW.title"], "D": ["NEW.description"]},
}


def _vector_sql(weights: dict[str, list[str]]) -> str:
    """setweight(to_tsvector('simple', coalesce(a, '') || ' ' || ...), 'A') || ..."""
    parts = []
    for weight, exprs in weights.items():
        text = " || ' ' || ".join(f"coalesce({expr}, '')" for expr in exprs)
        parts.append(f"setweight(to_tsvector('simple', {text}), '{weight}')")
    return " || ".join(parts)


def _columns(weights: dict[str, list[str]]) -> str:
    names = [e.removeprefix("NEW.").split("::")[0] for exprs in weights.values() for e in exprs]
    return ", ".join(names)


def add_search(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, weights in VECTORS.items():
        schema_editor.execute(f"ALTER TABLE {table} ADD COLUMN search_vector tsvector")
        schema_editor.execute(
            f"CREATE FUNCTION {table}_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN NEW.search_vector := {_vector_sql(weights)}; RETURN NEW; END $$"
        )
        schema_editor.execute(
            f"CREATE TRIGGER {table}_search_vector BEFORE INSERT OR UPDATE OF {_columns(weights)} "
            f"ON {table} FOR EACH ROW EXECUTE FUNCTION {table}_search_vector()"
        )
        first = _columns(weights).split(", ")[0]
        schema_editor.execute(f"UPDATE {table} SET {first} = {first}")  # fill existing rows
        schema_editor.execute(f"CREATE INDEX {table}_search ON {table} USING gin (search_vector)")
    # "#ambient" finds tracks tagged exactly that: containment on the JSON list.
    schema_editor.execute(
        "CREATE INDEX tracks_track_tags ON tracks_track USING gin (tags jsonb_path_ops)"
    )


def remove_search(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS tracks_track_tags")
    for table in VECTORS:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_search_vector ON {table}")
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {table}_search_vector()")
        schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS search_vector")


class Migration(migrations.Migration):
    dependencies = [
        ("backstage", "0002_user_email_new_releases_user_public_profile"),
        ("tracks", "0002_newest_indexes"),
        ("artists", "0002_follow"),
        ("playlists", "0001_initial"),
    ]

    operations = [migrations.RunPython(add_search, remove_search)]
