"""How the radio picks the next track, in SQL.

Two steps, so that a pick never scores the whole catalogue:

1. A **pool** per station (`discovery`, `tag:ambient`, `mood:calm`, `artist:12`,
   `track:34`) holds up to POOL_SIZE candidates with a slowly-changing *prior*: a bonus for
   new tracks and for artists with few plays elsewhere. Pools are rebuilt by Celery beat
   (and on first use) with one ordered query; the refresh adds its own random jitter, so the
   pool rotates through a large catalogue over time.
2. A **pick** scores the pool's rows, joined with live numbers, and takes the best one:

       score = mean(likes vs dislikes and skips, prior 1:1)    0 … 1
             + EXPLORE × sqrt(ln(all radio plays) / (plays of the track + 1))   (UCB)
             + prior × 5 / (5 + plays of the track)            0 … 0.6, fading with evidence
             + EXPOSURE / (1 + hours heard of the artist on the radio, 28 days)
             + this listener's affinity for the artist and the genre
             + JITTER × a pseudo-random number from the caller's seed

The published explanation is templates/radio/how_it_picks.html: keep both in step. The
engineering (indexes, costs, the tests that hold the weights to account) is in docs/radio.md.
"""

import math
import random
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import (
    Case,
    CharField,
    F,
    FloatField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Ln, Lower, Mod, Sqrt
from django.utils import timezone

from tracks.models import PLAYABLE, Track, Visibility
from tracks.selectors import listed_tracks, with_tag

from .models import ArtistSimilarity, ListenerAffinity, PoolTrack, StationPool, TrackRadioScore

POOL_SIZE = 200  # a pick scores these rows: its cost is linear in them (tests/bench/radio.py)
POOL_MAX_AGE = timedelta(minutes=30)
# Beat rebuilds only pools used this recently; the others are rebuilt at their next use (they
# are older than POOL_MAX_AGE by then), so a one-off station costs no beat work after it.
POOL_BUSY_WITHIN = POOL_MAX_AGE
POOL_IDLE_AFTER = timedelta(days=1)
SIMILAR_ARTISTS = 20
SHARED_NAMES = 5  # genres and tags artist radio falls back to, without similar artists


@dataclass(frozen=True)
class Weights:
    explore: float = 0.3
    exposure: float = 0.3
    artist_affinity: float = 0.25  # per unit of weight, weights are kept within ±4
    genre_affinity: float = 0.15
    jitter: float = 0.4
    # The prior fades as evidence comes in: prior × k / (k + radio plays of the track).
    prior_evidence: float = 5.0


WEIGHTS = Weights()

# Prior bonuses, by age of the track and by the artist's counted plays elsewhere (28 days).
NEW_BONUS = ((7, 0.3), (30, 0.2), (90, 0.1))
LITTLE_HEARD_BONUS = ((10, 0.3), (100, 0.2), (1000, 0.1))

_JITTER_MODULUS = 1_000_003


def radio_tracks() -> QuerySet[Track]:
    """Tracks the radio may play: ready, public, not taken down, artist in good standing,
    and left in radio by their artist."""
    return listed_tracks().filter(radio_enabled=True)


# --- Pools ------------------------------------------------------------------------------------


def pool_key(kind: str, seed: str | int = "") -> str:
    return f"{kind}:{seed}" if seed != "" else kind


def pool_candidates(key: str) -> QuerySet[Track]:
    """Every radio track that belongs in the pool named `key`."""
    kind, _, seed = key.partition(":")
    tracks = radio_tracks()
    if kind == "discovery":
        return tracks
    if kind == "tag":
        return with_tag(tracks, seed) | tracks.filter(genre__iexact=seed)
    if kind == "mood":
        return with_tag(tracks, seed)
    if kind == "artist":
        similar = _similar_artists(seed)
        if similar.exists():
            return tracks.filter(Q(artist_id=int(seed)) | Q(artist_id__in=similar))
        return tracks.filter(artist_id=int(seed)) | _sharing_genre_or_tag(tracks, int(seed))
    if kind == "track":
        track = Track.objects.filter(pk=int(seed)).first()
        if track is None:
            return tracks.none()
        nearby = Q(artist_id=track.artist_id) | Q(artist_id__in=_similar_artists(track.artist_id))
        if track.genre:
            nearby |= Q(genre__iexact=track.genre)
        return tracks.filter(nearby).exclude(pk=track.pk)
    raise ValueError(f"Unknown pool {key!r}")


def _sharing_genre_or_tag(tracks: QuerySet[Track], artist_id: int) -> QuerySet[Track]:
    """Artist radio before co-listening says anything (a new artist, a new site): tracks
    sharing a genre or tag with the artist's own, its SHARED_NAMES most common ones."""
    names: dict[str, int] = {}
    for genre, tags in tracks.filter(artist_id=artist_id).values_list("genre", "tags"):
        for name in {genre.lower(), *(tag.lower() for tag in tags or ())} - {""}:
            names[name] = names.get(name, 0) + 1
    shared = tracks.none()
    for name in sorted(names, key=lambda n: (-names[n], n))[:SHARED_NAMES]:
        shared |= with_tag(tracks, name) | tracks.filter(genre__iexact=name)
    return shared


def _similar_artists(artist_id) -> QuerySet:
    return (
        ArtistSimilarity.objects.filter(artist_id=int(artist_id))
        .order_by("-score")
        .values("other_id")[:SIMILAR_ARTISTS]
    )


def _prior(*, now: datetime):
    """(newness, little-heard bonus) of a track row: the pool's prior is their sum.

    Organic plays come from a LEFT JOIN on ArtistExposure (its primary key is the artist),
    not a correlated subquery: a discovery pool ranks the whole catalogue."""
    newness = Case(
        *(
            When(created_at__gte=now - timedelta(days=days), then=Value(bonus))
            for days, bonus in NEW_BONUS
        ),
        default=Value(0.0),
        output_field=FloatField(),
    )
    organic = Coalesce(F("artist__radio_exposure__organic_plays"), 0)
    little_heard = Case(
        *(When(organic_plays__lt=limit, then=Value(bonus)) for limit, bonus in LITTLE_HEARD_BONUS),
        default=Value(0.0),
        output_field=FloatField(),
    )
    return newness, organic, little_heard


def _jitter(seed: int):
    """A pseudo-random number in [0, 1) per track, from `seed`: portable SQL arithmetic, so
    a test can fix the seed on SQLite and PostgreSQL alike.

    x = (track × K + seed) mod P, then x² mod P. Without the square, a new seed only rotated
    every track's number by the same amount (mod 1): the same cyclic order came back on every
    pick, and with equal scores one track of 24 won 13 % of draws, another 0.5 %. Squared,
    each wins 3.9–4.4 % (4.2 % expected; 20,000 draws)."""
    x = Mod(F("track_pk") * 2654435761 + seed, _JITTER_MODULUS)
    return Cast(Mod(x * x, _JITTER_MODULUS), FloatField()) / Value(float(_JITTER_MODULUS))


def refresh_pool(key: str, *, now: datetime | None = None, rng: random.Random = random) -> int:
    """Rebuild one pool: the POOL_SIZE best candidates by prior plus jitter. Returns its size."""
    now = now or timezone.now()
    newness, organic, little_heard = _prior(now=now)
    ranked = (
        pool_candidates(key)
        .annotate(organic_plays=organic, track_pk=F("pk"))
        .annotate(prior=newness + little_heard)
        .annotate(rank=F("prior") + WEIGHTS.jitter * _jitter(rng.randrange(_JITTER_MODULUS)))
        .order_by("-rank")
        .values_list("pk", "artist_id", "prior")[:POOL_SIZE]
    )
    rows = [PoolTrack(pool=key, track_id=t, artist_id=a, prior=p) for t, a, p in ranked]
    with transaction.atomic():
        PoolTrack.objects.filter(pool=key).delete()
        PoolTrack.objects.bulk_create(rows)
        # Every candidate has its score row already, so that recording a play is one UPDATE.
        TrackRadioScore.objects.bulk_create(
            [TrackRadioScore(track_id=row.track_id) for row in rows], ignore_conflicts=True
        )
        # A rebuild is not a use (beat's rebuilds would keep a pool in use forever).
        StationPool.objects.update_or_create(
            key=key,
            defaults={"refreshed_at": now, "size": len(rows)},
            create_defaults={"refreshed_at": now, "used_at": now, "size": len(rows)},
        )
    return len(rows)


def ensure_pool(key: str, *, now: datetime | None = None) -> None:
    """Build the pool if it is missing or older than POOL_MAX_AGE; mark it used."""
    now = now or timezone.now()
    pool = StationPool.objects.filter(key=key).first()
    if pool is None or pool.refreshed_at < now - POOL_MAX_AGE:
        refresh_pool(key, now=now)
    if pool is not None and pool.used_at < now - timedelta(minutes=1):
        StationPool.objects.filter(key=key).update(used_at=now)


# --- Picks ------------------------------------------------------------------------------------


def _all_radio_plays() -> int:
    """The UCB's N, cached for a minute: it moves slowly and costs a table-wide sum."""
    total = cache.get("radio:all-plays")
    if total is None:
        total = TrackRadioScore.objects.aggregate(n=Sum("plays"))["n"] or 0
        cache.set("radio:all-plays", total, 60)
    return total


def _affinity(listener_key: str, dimension: str, value) -> Coalesce:
    return Coalesce(
        Subquery(
            ListenerAffinity.objects.filter(
                listener_key=listener_key, dimension=dimension, value=value
            ).values("weight")[:1]
        ),
        Value(0.0),
        output_field=FloatField(),
    )


def _still_on_radio() -> Q:
    """radio_tracks()'s conditions on a pool row's track and artist, as joins (_PICK states
    them again): `track__in=radio_tracks()` made PostgreSQL probe both twice per row."""
    return Q(
        Q(*((f"track__{field}", value) for field, value in PLAYABLE.children)),
        track__visibility=Visibility.PUBLIC,
        track__radio_enabled=True,
        track__release__taken_down_at__isnull=True,  # or no release: a LEFT JOIN
        artist__is_suspended=False,
    )


def scored_pool(
    key: str,
    *,
    listener_key: str = "",
    seed: int = 0,
    weights: Weights = WEIGHTS,
) -> QuerySet[PoolTrack]:
    """The pool's still-playable rows, each annotated with `score` (see the module's doc) and
    its terms: the readable definition, for tests and tools. pick_track() computes the same
    score in one hand-written statement (_PICK), for a fraction of the cost per pick."""
    ln_all = Ln(Value(float(_all_radio_plays() + 2)))

    def count(field):
        return Coalesce(F(f"track__radio_score__{field}"), 0)

    rows = (
        PoolTrack.objects.filter(_still_on_radio(), pool=key)
        .annotate(
            track_pk=F("track_id"),
            likes=count("likes"),
            dislikes=count("dislikes"),
            skips=count("skips"),
            plays=count("plays"),
            heard=Coalesce(
                F("artist__radio_exposure__heard_seconds"),
                Value(0.0),
                output_field=FloatField(),
            ),
        )
        .annotate(
            mean=Cast(F("likes") + 1, FloatField())
            / Cast(F("likes") + F("dislikes") + F("skips") + 2, FloatField()),
            explore=Sqrt(ln_all / Cast(F("plays") + 1, FloatField())),
            exposure=Value(1.0) / (Value(1.0) + F("heard") / Value(3600.0)),
        )
    )
    affinity = Value(0.0)
    if listener_key:
        affinity = weights.artist_affinity * _affinity(
            listener_key, "artist", Cast(OuterRef("artist_id"), output_field=CharField())
        ) + weights.genre_affinity * _affinity(
            listener_key, "genre", Lower(OuterRef("track__genre"))
        )
    return rows.annotate(
        score=F("mean")
        + weights.explore * F("explore")
        + F("prior") * weights.prior_evidence / (weights.prior_evidence + F("plays"))
        + weights.exposure * F("exposure")
        + affinity
        + weights.jitter * _jitter(seed)
    )


# The pick: scored_pool() in one hand-written statement. Building scored_pool's queryset with
# the exclusions cost 3–6 ms of Python per pick (Django resolving and copying ~200 expression
# nodes), as much as PostgreSQL's work; this costs ~0.1 ms. tests/radio/test_picker_queries.py
# checks that both pick the same track.
#
# Each row's numbers are read by correlated subqueries on primary keys and unique indexes, one
# probe each, on purpose: as joins, PostgreSQL's estimate of a pool's rows decided between ~200
# index probes and a hash join over all of TrackRadioScore (100,000 rows, 3 → 18 ms), and at
# 100,000 tracks and pools of 200 it tipped either way. Scalar subqueries are never turned into
# joins. Floats, not 1.0 literals: those made PostgreSQL compute in NUMERIC, whose SQRT and
# division are many times slower. Portable: SQLite has MOD and SQRT through Django, and reads
# DOUBLE PRECISION as REAL.
_PICK = """
SELECT p.track_id FROM radio_pooltrack p
JOIN tracks_track t ON t.id = p.track_id
WHERE p.pool = %(pool)s
    AND t.status = %(ready)s AND t.taken_down_at IS NULL AND t.visibility = %(public)s
    AND t.radio_enabled
    AND (SELECT r.taken_down_at FROM tracks_release r WHERE r.id = t.release_id) IS NULL
    AND NOT (SELECT a.is_suspended FROM artists_artist a WHERE a.id = p.artist_id)
    {exclusions}
ORDER BY
    COALESCE(
        (
            SELECT (s.likes + 1) / CAST(s.likes + s.dislikes + s.skips + 2 AS DOUBLE PRECISION)
                + %(explore)s * SQRT(%(ln_all)s / CAST(s.plays + 1 AS DOUBLE PRECISION))
                + p.prior * %(evidence)s / (%(evidence)s + s.plays)
            FROM radio_trackradioscore s WHERE s.track_id = p.track_id
        ),
        0.5 + %(explore)s * SQRT(%(ln_all)s) + p.prior
    )
    + COALESCE(
        (
            SELECT %(exposure)s / (1 + e.heard_seconds / 3600)
            FROM radio_artistexposure e WHERE e.artist_id = p.artist_id
        ),
        %(exposure)s
    )
    + %(artist_affinity)s * COALESCE(
        (
            SELECT f.weight FROM radio_listeneraffinity f
            WHERE f.listener_key = %(listener)s AND f.dimension = 'artist'
                AND f.value = CAST(p.artist_id AS TEXT)
        ),
        0
    )
    + %(genre_affinity)s * COALESCE(
        (
            SELECT f.weight FROM radio_listeneraffinity f
            WHERE f.listener_key = %(listener)s AND f.dimension = 'genre'
                AND f.value = LOWER(t.genre)
        ),
        0
    )
    + %(jitter)s * MOD(
        MOD(p.track_id * 2654435761 + %(seed)s, {modulus})
            * MOD(p.track_id * 2654435761 + %(seed)s, {modulus}),
        {modulus}
    ) / CAST({modulus} AS DOUBLE PRECISION)
    DESC, p.track_id
LIMIT 1
"""


def _not_in(column: str, values) -> tuple[str, list]:
    """`AND column NOT IN (…)` for a list of ids or a queryset of one column."""
    if isinstance(values, QuerySet):
        sql, params = values.query.sql_with_params()
        return f"AND {column} NOT IN ({sql})", list(params)
    values = list(values)
    if not values:
        return "", []
    return f"AND {column} NOT IN ({', '.join(['%s'] * len(values))})", values


def pick_track(
    key: str,
    *,
    listener_key: str = "",
    exclude_tracks=(),
    avoid_artists=(),
    rng: random.Random = random,
    weights: Weights = WEIGHTS,
) -> Track | None:
    """The best-scoring playable track of pool `key` (scored as scored_pool() scores it), or
    None when nothing is left.

    `exclude_tracks` and `avoid_artists` are ids or subqueries (no repeats within a
    session, no artist twice in a row, tracks this listener disliked).
    """
    seed = rng.randrange(_JITTER_MODULUS)
    tracks_sql, tracks_params = _not_in("p.track_id", exclude_tracks)
    artists_sql, artists_params = _not_in("p.artist_id", avoid_artists)
    values = {
        "pool": key,
        "ready": Track.Status.READY,
        "public": Visibility.PUBLIC,
        "explore": weights.explore,
        "ln_all": math.log(_all_radio_plays() + 2),
        "evidence": weights.prior_evidence,
        "exposure": weights.exposure,
        "artist_affinity": weights.artist_affinity,
        "genre_affinity": weights.genre_affinity,
        "listener": listener_key,
        "jitter": weights.jitter,
        "seed": seed,
    }
    # Named placeholders read better in _PICK; the exclusions' compiled SQL brings positional
    # ones, so every placeholder becomes positional, in order.
    template = _PICK.format(exclusions=f"{tracks_sql} {artists_sql}", modulus=_JITTER_MODULUS)
    names = re.findall(r"%\((\w+)\)s|%s", template)
    exclusion_params = iter([*tracks_params, *artists_params])
    params = [values[name] if name else next(exclusion_params) for name in names]
    sql = re.sub(r"%\(\w+\)s", "%s", template)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        best = cursor.fetchone()
    if best is None:
        return None
    return Track.objects.select_related("artist", "release").get(pk=best[0])
