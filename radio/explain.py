"""The numbers on the public "How the radio picks" page, read from the code that picks
(radio/picking.py, radio/services.py, the beat schedule), so the page cannot drift from it."""

from dataclasses import dataclass

from django.conf import settings

from . import exposure, live, picking, services
from .models import Feedback


@dataclass(frozen=True)
class Step:
    what: str
    artist: float
    genre: float


def _minutes(seconds: float) -> int:
    return round(seconds / 60)


def _beat_minutes(task: str) -> int | None:
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        if entry["task"] == task:
            return _minutes(float(entry["schedule"]))
    return None


def picker_facts() -> dict:
    weights = picking.WEIGHTS
    artist_like, genre_like = services._AFFINITY_STEPS[Feedback.Kind.LIKE]
    artist_dislike, genre_dislike = services._AFFINITY_STEPS[Feedback.Kind.DISLIKE]
    artist_skip, genre_skip = services._AFFINITY_STEPS[Feedback.Kind.SKIP]
    return {
        "weights": weights,
        "new_bonus": picking.NEW_BONUS,
        "little_heard_bonus": picking.LITTLE_HEARD_BONUS,
        "max_prior": max(b for _, b in picking.NEW_BONUS)
        + max(b for _, b in picking.LITTLE_HEARD_BONUS),
        "pool_size": picking.POOL_SIZE,
        "pool_max_age_minutes": _minutes(picking.POOL_MAX_AGE.total_seconds()),
        "pool_busy_minutes": _minutes(picking.POOL_BUSY_WITHIN.total_seconds()),
        "pool_idle_hours": round(picking.POOL_IDLE_AFTER.total_seconds() / 3600),
        "pool_refresh_minutes": _beat_minutes("radio.refresh_pools"),
        "exposure_refresh_minutes": _beat_minutes("radio.refresh_exposure"),
        "window_days": exposure.WINDOW.days,
        "affinity_limit": services.AFFINITY_LIMIT,
        "steps": [
            Step("A like", artist_like, genre_like),
            Step("A dislike", artist_dislike, genre_dislike),
            Step(
                "A dislike because it is “not my genre”",
                artist_dislike,
                services._GENRE_DISLIKE_STEP,
            ),
            Step("A skip", artist_skip, genre_skip),
        ],
        "max_affinity": services.AFFINITY_LIMIT
        * (weights.artist_affinity + weights.genre_affinity),
        "live_gap_minutes": _minutes(live.ARTIST_GAP.total_seconds()),
        "similar_artists": picking.SIMILAR_ARTISTS,
    }
