"""Which artists are alike: artist radio's and "from a track" stations' neighbours.

Two signals, both computed in SQL and bounded, blended per pair of artists:

- **co-listening**: the listeners who heard both, out of those who heard each (cosine:
  shared / √(listeners of A × listeners of B)). A listener "heard" an artist if, in the last
  WINDOW, a counted play (analytics' PlayEvent) or a radio like reached one of its tracks, or
  if they follow the artist or saved one of its tracks. Listeners who heard more than
  MAX_ARTISTS_PER_LISTENER artists are left out (their pairs grow with the square of their
  artists and say little), and a pair needs MIN_SHARED listeners (one is a coincidence).
- **shared tags**: the Jaccard index of the two artists' sets of genres and tags (of their
  public, ready tracks). Tags held by more than MAX_TAG_ARTISTS artists are left out: they
  would pair everyone with everyone, and tell nothing.

    score = CO_LISTENING × cosine + TAGS × jaccard          (0 … 1)

Each artist keeps its best picking.SIMILAR_ARTISTS neighbours. Rewritten nightly by
radio.refresh_similarity (Celery beat).
"""

import math
from collections import defaultdict
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone

from .models import ArtistSimilarity
from .picking import SIMILAR_ARTISTS

WINDOW = timedelta(days=90)
MAX_ARTISTS_PER_LISTENER = 200
MIN_SHARED = 2
MAX_TAG_ARTISTS = 300
CANDIDATES = 50  # per artist and signal, before blending
CO_LISTENING = 0.7
TAGS = 0.3

# Listener and artist pairs (listener_key, artist_id): parameters are `since` twice.
_HEARD = """
    SELECT listener_key, artist_id FROM analytics_playevent
        WHERE counted AND started_at >= %s
    UNION
    SELECT f.listener_key, t.artist_id FROM radio_feedback f
        JOIN tracks_track t ON t.id = f.track_id
        WHERE f.kind = 'like' AND f.created_at >= %s
    UNION
    SELECT 'u:' || user_id, artist_id FROM artists_follow
    UNION
    SELECT 'u:' || s.user_id, t.artist_id FROM playlists_savedtrack s
        JOIN tracks_track t ON t.id = s.track_id
"""

_CO_LISTENING = f"""
    WITH heard AS ({_HEARD}),
    kept AS (
        SELECT listener_key, artist_id FROM (
            SELECT listener_key, artist_id,
                COUNT(*) OVER (PARTITION BY listener_key) AS artists
            FROM heard
        ) counted WHERE artists <= %s
    ),
    sizes AS (SELECT artist_id, COUNT(*) AS listeners FROM kept GROUP BY artist_id),
    pairs AS (
        SELECT a.artist_id AS artist, b.artist_id AS other, COUNT(*) AS shared
        FROM kept a JOIN kept b ON b.listener_key = a.listener_key AND b.artist_id <> a.artist_id
        GROUP BY a.artist_id, b.artist_id
        HAVING COUNT(*) >= %s
    ),
    ranked AS (
        SELECT artist, other, shared,
            ROW_NUMBER() OVER (PARTITION BY artist ORDER BY shared DESC, other) AS place
        FROM pairs
    )
    SELECT r.artist, r.other, r.shared, sa.listeners, so.listeners
    FROM ranked r
    JOIN sizes sa ON sa.artist_id = r.artist
    JOIN sizes so ON so.artist_id = r.other
    WHERE r.place <= %s
"""

# One row per element of a track's JSON list of tags, as a column `value`.
_TAG_ELEMENTS = {
    "postgresql": "jsonb_array_elements_text(t.tags) AS tag(value)",
    "sqlite": "json_each(t.tags) AS tag",
}

_SHARED_TAGS = """
    WITH listed AS (
        SELECT t.* FROM tracks_track t
        WHERE t.status = 'ready' AND t.visibility = 'public' AND t.taken_down_at IS NULL
    ),
    tagged AS (
        SELECT DISTINCT artist_id, tag FROM (
            SELECT t.artist_id, lower(tag.value) AS tag FROM listed t, {elements}
            UNION ALL
            SELECT artist_id, lower(genre) FROM listed WHERE genre <> ''
        ) every_tag
    ),
    rare AS (SELECT tag FROM tagged GROUP BY tag HAVING COUNT(*) <= %s),
    kept AS (SELECT tagged.* FROM tagged JOIN rare ON rare.tag = tagged.tag),
    sizes AS (SELECT artist_id, COUNT(*) AS tags FROM kept GROUP BY artist_id),
    pairs AS (
        SELECT a.artist_id AS artist, b.artist_id AS other, COUNT(*) AS shared
        FROM kept a JOIN kept b ON b.tag = a.tag AND b.artist_id <> a.artist_id
        GROUP BY a.artist_id, b.artist_id
    ),
    ranked AS (
        SELECT p.artist, p.other, p.shared, sa.tags AS tags_a, so.tags AS tags_o,
            ROW_NUMBER() OVER (
                PARTITION BY p.artist
                ORDER BY p.shared * 1.0 / (sa.tags + so.tags - p.shared) DESC, p.other
            ) AS place
        FROM pairs p
        JOIN sizes sa ON sa.artist_id = p.artist
        JOIN sizes so ON so.artist_id = p.other
    )
    SELECT artist, other, shared, tags_a, tags_o FROM ranked WHERE place <= %s
"""


def co_listening(*, since: datetime) -> dict[tuple[int, int], float]:
    """(artist, other) → cosine of their listeners, for each artist's best CANDIDATES."""
    with connection.cursor() as cursor:
        cursor.execute(
            _CO_LISTENING, [since, since, MAX_ARTISTS_PER_LISTENER, MIN_SHARED, CANDIDATES]
        )
        return {
            (artist, other): shared / math.sqrt(listeners_a * listeners_o)
            for artist, other, shared, listeners_a, listeners_o in cursor.fetchall()
        }


def shared_tags() -> dict[tuple[int, int], float]:
    """(artist, other) → Jaccard index of their tags, for each artist's best CANDIDATES."""
    sql = _SHARED_TAGS.format(elements=_TAG_ELEMENTS[connection.vendor])
    with connection.cursor() as cursor:
        cursor.execute(sql, [MAX_TAG_ARTISTS, CANDIDATES])
        return {
            (artist, other): shared / (tags_a + tags_o - shared)
            for artist, other, shared, tags_a, tags_o in cursor.fetchall()
        }


def refresh_similarity(*, now: datetime | None = None) -> int:
    """Rewrite ArtistSimilarity from co-listening and shared tags. Returns the pairs kept."""
    now = now or timezone.now()
    listened, tagged = co_listening(since=now - WINDOW), shared_tags()
    neighbours: dict[int, list[tuple[float, int]]] = defaultdict(list)
    for artist, other in listened.keys() | tagged.keys():
        score = CO_LISTENING * listened.get((artist, other), 0.0) + TAGS * tagged.get(
            (artist, other), 0.0
        )
        neighbours[artist].append((-score, other))
    rows = [
        ArtistSimilarity(artist_id=artist, other_id=other, score=-negative)
        for artist, scored in neighbours.items()
        for negative, other in sorted(scored)[:SIMILAR_ARTISTS]
    ]
    with transaction.atomic():
        ArtistSimilarity.objects.all().delete()
        ArtistSimilarity.objects.bulk_create(rows, batch_size=5000)
    return len(rows)
