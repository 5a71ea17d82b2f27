"""What the radio home offers and how a station request names its seed."""

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Q

from artists.models import Artist
from tracks.models import Track

from .models import RadioSession, StationKind
from .picking import radio_tracks
from .services import MOODS

GENRES_SHOWN = 12
GENRES_CACHE_SECONDS = 600


def top_genres(*, limit: int = GENRES_SHOWN) -> list[tuple[str, int]]:
    """The most common genres and tags of radio tracks, each counted once per track, most
    common first: one grouped query with a LIMIT (cached ten minutes, it scans the catalogue)."""
    key = f"radio:top-genres:{limit}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    tracks_sql, params = radio_tracks().values("id", "genre", "tags").query.sql_with_params()
    sql = f"""
        WITH radio_tracks AS ({tracks_sql})
        SELECT name, COUNT(*) AS n FROM (
            SELECT id, lower(genre) AS name FROM radio_tracks WHERE genre <> ''
            UNION
            {_TAGS[connection.vendor]}
        ) named
        GROUP BY name ORDER BY n DESC, name LIMIT %s
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, limit])
        rows = [(name, n) for name, n in cursor.fetchall()]
    cache.set(key, rows, GENRES_CACHE_SECONDS)
    return rows


# Each radio track's tags, one row (id, name) per tag.
_TAGS = {
    "postgresql": (
        "SELECT t.id, lower(tag) AS name FROM radio_tracks t, jsonb_array_elements_text(t.tags) tag"
    ),
    "sqlite": "SELECT t.id, lower(tag.value) AS name FROM radio_tracks t, json_each(t.tags) tag",
}


def mood_counts() -> list[tuple[str, int]]:
    """Every mood with its number of radio tracks (0 for a mood nobody has tagged), in the
    order of MOODS: one grouped query, cached like the genres. A mood station plays tracks
    tagged with the mood, so only tags count here."""
    cached = cache.get("radio:mood-counts")
    if cached is not None:
        return cached
    tracks_sql, params = radio_tracks().values("id", "tags").query.sql_with_params()
    moods = ", ".join(["%s"] * len(MOODS))
    sql = f"""
        WITH radio_tracks AS ({tracks_sql})
        SELECT name, COUNT(DISTINCT id) FROM ({_TAGS[connection.vendor]}) tagged
        WHERE name IN ({moods}) GROUP BY name
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *MOODS])
        found = dict(cursor.fetchall())
    rows = [(mood, found.get(mood, 0)) for mood in MOODS]
    cache.set("radio:mood-counts", rows, GENRES_CACHE_SECONDS)
    return rows


def find_artist(text: str) -> Artist | None:
    """The artist a listener typed in the artist radio box: by address or exact name."""
    text = text.strip()
    if not text or "\x00" in text:  # PostgreSQL stores no NUL character: no name has one
        return None
    return Artist.objects.filter(Q(slug__iexact=text) | Q(name__iexact=text)).order_by("pk").first()


def label_for(
    *, kind: str, seed: str = "", artist: Artist | None = None, track: Track | None = None
) -> str:
    """How a station is named in the player and on its pages. ValidationError for a kind of
    station a listener cannot start."""
    if kind == StationKind.DISCOVERY:
        return "Discovery"
    if kind == StationKind.MOOD and seed not in MOODS:
        raise ValidationError("There is no such mood station.")
    if kind in (StationKind.TAG, StationKind.MOOD) and seed.strip():
        return f"{seed.strip().capitalize()} radio"
    if kind == StationKind.ARTIST and artist:
        return f"{artist.name} radio"
    if kind == StationKind.TRACK and track:
        return f"Radio from “{track.title}”"
    raise ValidationError("There is no such station.")


def station_label(session: RadioSession) -> str:
    return label_for(
        kind=session.kind,
        seed=session.seed,
        artist=session.seed_artist,
        track=session.seed_track,
    )
