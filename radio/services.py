"""Personal stations, feedback and timed comments."""

import math
import random

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest, Least
from django.utils import timezone

from artists.models import Artist
from backstage.models import User
from backstage.suspension import ensure_not_suspended
from tracks.models import Track

from . import picking
from .models import (
    Feedback,
    ListenerAffinity,
    RadioPlay,
    RadioSession,
    Reason,
    StationKind,
    TimedComment,
    TrackRadioScore,
)

MOODS = (
    "calm",
    "chill",
    "dark",
    "dreamy",
    "energetic",
    "happy",
    "melancholic",
    "romantic",
    "uplifting",
)

AFFINITY_LIMIT = 4.0
EARLY_SKIP_SECONDS = 30


class EmptyStation(Exception):
    """Nothing in this station can be played now (a message for the listener, not an error)."""


# --- Stations ---------------------------------------------------------------------------------


def station_pool_key(session: RadioSession) -> str:
    if session.kind == StationKind.DISCOVERY:
        return picking.pool_key("discovery")
    if session.kind in (StationKind.TAG, StationKind.MOOD):
        return picking.pool_key(session.kind, session.seed)
    if session.kind == StationKind.ARTIST:
        return picking.pool_key("artist", session.seed_artist_id)
    return picking.pool_key("track", session.seed_track_id)


def start_station(
    *,
    listener_key: str,
    user: User | None,
    kind: str,
    seed: str = "",
    artist: Artist | None = None,
    track: Track | None = None,
) -> RadioSession:
    """A new personal station session. The caller has checked the artist or track is visible."""
    if kind not in StationKind.values or kind == StationKind.LIVE:
        raise ValidationError("There is no such station.")
    if kind in (StationKind.TAG, StationKind.MOOD) and not seed.strip():
        raise ValidationError("Choose a genre, tag or mood for this station.")
    if "\x00" in seed:  # PostgreSQL stores no NUL character in text
        raise ValidationError("There is no genre or tag with a NUL character.")
    if kind == StationKind.MOOD and seed not in MOODS:
        raise ValidationError("There is no such mood station.")
    if kind == StationKind.ARTIST and artist is None:
        raise ValidationError("Choose an artist for artist radio.")
    if kind == StationKind.TRACK and track is None:
        raise ValidationError("Choose a track to start the station from.")
    return RadioSession.objects.create(
        listener_key=listener_key,
        user=user if user and user.is_authenticated else None,
        kind=kind,
        seed=seed.strip().lower()[:100]
        if kind in (StationKind.TAG, StationKind.MOOD)
        else (artist.slug if artist else track.public_id if track else ""),
        seed_artist=artist,
        seed_track=track,
    )


def next_track(*, session: RadioSession, rng: random.Random = random) -> RadioPlay:
    """Pick, record and return the session's next play: no repeats within the session, never
    the previous track's artist (on artist radio, unless nothing else is left), never a track
    this listener disliked. EmptyStation, saying why, when nothing is left."""
    key = station_pool_key(session)
    picking.ensure_pool(key)
    previous = session.plays.order_by("-started_at", "-pk").values("track__artist_id")[:1]
    disliked = Feedback.objects.filter(
        listener_key=session.listener_key, kind=Feedback.Kind.DISLIKE
    ).values("track_id")
    exclude = session.plays.values("track_id").union(disliked)
    pick = {"listener_key": session.listener_key, "exclude_tracks": exclude, "rng": rng}
    track = picking.pick_track(key, avoid_artists=previous, **pick)
    if track is None and session.kind == StationKind.ARTIST:
        # Artist radio with only its own artist left: that artist again rather than silence.
        # Every other station keeps the rule and ends (the issue: no artist twice in a row).
        track = picking.pick_track(key, **pick)
    if track is None:
        raise EmptyStation(_nothing_left(session, key))
    play = record_radio_play(
        track=track, listener_key=session.listener_key, user=session.user, session=session
    )
    RadioSession.objects.filter(pk=session.pk).update(last_pick_at=timezone.now())
    return play


def _nothing_left(session: RadioSession, key: str) -> str:
    """Why a station has nothing to play: it never had anything, or it played it all."""
    if not picking.pool_candidates(key).exists():
        if session.kind == StationKind.MOOD:
            return (
                "No tracks with this mood yet. Try another mood, or come back when artists "
                "have tagged their music with it."
            )
        if session.kind == StationKind.TAG:
            return "No tracks with this genre or tag yet. Try another station."
        return "This station has nothing to play yet. Try another station."
    return (
        "This station has played everything it has for now. Try another station, or "
        "come back later for new music."
    )


def record_radio_play(
    *, track: Track, listener_key: str, user: User | None, session=None, slot=None
) -> RadioPlay:
    """A radio play handed to a listener, counted in the track's score once (a live slot
    joined twice by the same listener is one play)."""
    kind = session.kind if session else StationKind.LIVE
    with transaction.atomic():
        if slot is not None:
            play, created = RadioPlay.objects.get_or_create(
                slot=slot,
                listener_key=listener_key,
                defaults={"track": track, "user": user, "kind": kind},
            )
        else:
            play, created = (
                RadioPlay.objects.create(
                    track=track, listener_key=listener_key, user=user, kind=kind, session=session
                ),
                True,
            )
        if created:
            _bump_score(track.pk, plays=1)
    return play


def _bump_score(track_id: int, **deltas: int) -> None:
    """Add to a track's running counts (one UPDATE; the row is made on first use)."""
    updated = TrackRadioScore.objects.filter(track_id=track_id).update(
        **{field: F(field) + delta for field, delta in deltas.items()}
    )
    if not updated:
        try:
            with transaction.atomic():
                TrackRadioScore.objects.create(track_id=track_id, **deltas)
        except IntegrityError:  # created meanwhile by another request
            TrackRadioScore.objects.filter(track_id=track_id).update(
                **{field: F(field) + delta for field, delta in deltas.items()}
            )


# --- Feedback ---------------------------------------------------------------------------------

# How one piece of feedback moves this listener's affinities (artist, genre).
_AFFINITY_STEPS = {
    Feedback.Kind.LIKE: (1.0, 0.5),
    Feedback.Kind.DISLIKE: (-1.0, -0.25),
    Feedback.Kind.SKIP: (-0.5, -0.25),
}
_GENRE_DISLIKE_STEP = -1.5  # "not my genre"


def record_feedback(
    *, play: RadioPlay, kind: str, reason: str = "", at_seconds: float | None = None
) -> Feedback:
    """Record a like, dislike (with an optional reason) or skip of a radio play.

    Repeating the same feedback changes nothing; a like replaces a dislike and the other way
    round. The listener's affinities move once per feedback kept. The track's score counts one
    like or dislike per listener, their newest (liking every play of a track is one like).
    """
    ensure_not_suspended(play.session.user if play.session_id else None)
    if kind not in Feedback.Kind.values:
        raise ValidationError("Feedback is a like, a dislike or a skip.")
    if reason and kind != Feedback.Kind.DISLIKE:
        raise ValidationError("Only a dislike takes a reason.")
    if reason and reason not in Reason.values:
        raise ValidationError("Choose one of the reasons offered.")
    if at_seconds is not None:
        at_seconds = _moment_in_track(play.track, at_seconds)
    like, dislike = Feedback.Kind.LIKE, Feedback.Kind.DISLIKE
    opposite = {like: dislike, dislike: like}
    with transaction.atomic():
        # Lock this listener's plays of the track, in id order: a double-clicked like (or likes
        # of two plays of the track) would otherwise both pass the check below, and the second
        # hit one_feedback_kind_per_play (a 500) or count in the score twice.
        list(
            RadioPlay.objects.select_for_update()
            .filter(listener_key=play.listener_key, track_id=play.track_id)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        existing = Feedback.objects.filter(play=play, kind=kind).first()
        if existing is not None:
            return existing
        counted = _opinion_counted(play)
        undone = opposite.get(kind)
        if undone and Feedback.objects.filter(play=play, kind=undone).delete()[0]:
            _move_affinities(play, undone, reason="", sign=-1)
        feedback = Feedback.objects.create(
            play=play,
            track_id=play.track_id,
            listener_key=play.listener_key,
            kind=kind,
            reason=reason,
            at_seconds=at_seconds,
        )
        if kind == Feedback.Kind.SKIP:
            _bump_score(play.track_id, skips=1)
        elif kind != counted:  # the newest like or dislike is now this one
            deltas = {f"{kind}s": 1}
            if counted:
                deltas[f"{counted}s"] = -1
            _bump_score(play.track_id, **deltas)
        _move_affinities(play, kind, reason=reason, sign=1)
    return feedback


def _opinion_counted(play: RadioPlay) -> str | None:
    """The like or dislike of this play's listener the track's score counts: their newest."""
    return (
        Feedback.objects.filter(
            listener_key=play.listener_key,
            track_id=play.track_id,
            kind__in=(Feedback.Kind.LIKE, Feedback.Kind.DISLIKE),
        )
        .order_by("-created_at", "-pk")
        .values_list("kind", flat=True)
        .first()
    )


def _moment_in_track(track: Track, at_seconds: float) -> float:
    if at_seconds != at_seconds or at_seconds < 0:  # NaN or negative
        raise ValidationError("That moment is not in the track.")
    if track.duration is not None and at_seconds > track.duration + 1:
        raise ValidationError("That moment is after the end of the track.")
    if not math.isfinite(at_seconds):  # of a track whose length is not known (yet)
        raise ValidationError("That moment is not in the track.")
    return min(at_seconds, track.duration or at_seconds)


def _move_affinities(play: RadioPlay, kind: str, *, reason: str, sign: int) -> None:
    artist_step, genre_step = _AFFINITY_STEPS[kind]
    if reason == "genre":
        genre_step = _GENRE_DISLIKE_STEP
    track = play.track
    _add_affinity(play.listener_key, "artist", str(track.artist_id), sign * artist_step)
    if track.genre:
        _add_affinity(play.listener_key, "genre", track.genre.lower(), sign * genre_step)


def _add_affinity(listener_key: str, dimension: str, value: str, step: float) -> None:
    row, _ = ListenerAffinity.objects.get_or_create(
        listener_key=listener_key, dimension=dimension, value=value[:100]
    )
    ListenerAffinity.objects.filter(pk=row.pk).update(
        weight=Least(Greatest(F("weight") + step, Value(-AFFINITY_LIMIT)), Value(AFFINITY_LIMIT))
    )


# --- Timed comments ---------------------------------------------------------------------------


def add_timed_comment(
    *, author: User, track: Track, at_seconds: float, body: str, play: RadioPlay | None = None
) -> TimedComment:
    """A comment at a moment of the track. The body is kept as typed and escaped on output."""
    ensure_not_suspended(author)
    body = body.strip()
    if not body:
        raise ValidationError("Write something first.")
    if "\x00" in body:  # PostgreSQL stores no NUL character in text
        raise ValidationError("Comments cannot contain NUL characters.")
    if len(body) > TimedComment.MAX_LENGTH:
        raise ValidationError(f"Comments are at most {TimedComment.MAX_LENGTH} characters.")
    at_seconds = _moment_in_track(track, at_seconds)
    return TimedComment.objects.create(
        track=track, author=author, play=play, at_seconds=at_seconds, body=body
    )


def can_delete_comment(*, user: User | None, comment: TimedComment) -> bool:
    """Its author and the track's artist may delete a comment (moderators hide them)."""
    if not (user and user.is_authenticated):
        return False
    return user.pk == comment.author_id or user.pk == comment.track.artist.user_id


def delete_timed_comment(*, user: User, comment: TimedComment) -> None:
    if not can_delete_comment(user=user, comment=comment):
        raise PermissionError("Only its author or the artist can delete this comment.")
    comment.delete()
