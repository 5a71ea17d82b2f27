"""Radio listening for the demo: stations played, liked, disliked, skipped and commented on,
through the real services, so that artists' radio figures have something to show. Each radio
play is also heard through the player's beacons (source radio, the real buffer and drain), so
the radio's counted plays and hours heard are the analytics' own."""

import random
from datetime import timedelta

from django.utils import timezone

from analytics.models import Source
from analytics.simulate import drain_all, send_play
from backstage.models import User

from . import exposure, services
from .models import Feedback, RadioPlay, RadioSession, Reason, StationKind, TimedComment

COMMENTS = [
    "This bit gives me chills.",
    "The drop here!",
    "Love how the bass comes in.",
    "Reminds me of a night train.",
    "Perfect for a rainy morning.",
]


def simulate_radio(*, commenters: list[User], sessions: int = 40, seed: int = 11) -> int:
    """`sessions` discovery sessions of up to eight tracks over the last two weeks; returns
    how many radio plays were made. Listeners like what is long and dislike what is short, so
    the figures differ from track to track."""
    rng = random.Random(seed)
    now = timezone.now()
    made = 0
    for number in range(sessions):
        session = RadioSession.objects.create(
            listener_key=f"a:radio{number % 25:03d}", kind=StationKind.DISCOVERY
        )
        when = now - timedelta(days=rng.uniform(0.1, 14))
        for _ in range(rng.randint(3, 8)):
            try:
                play = services.next_track(session=session, rng=rng)
            except services.EmptyStation:
                break
            made += 1
            heard = _react(play, rng)
            if commenters and rng.random() < 0.08:
                services.add_timed_comment(
                    author=rng.choice(commenters),
                    track=play.track,
                    at_seconds=rng.uniform(0, play.track.duration or 30),
                    body=rng.choice(COMMENTS),
                    play=play,
                )
            RadioPlay.objects.filter(pk=play.pk).update(started_at=when)
            Feedback.objects.filter(play=play).update(created_at=when)
            TimedComment.objects.filter(play=play).update(created_at=when)
            send_play(play.track, issued=when, heard=heard, listener=session.listener_key,
                      source=Source.RADIO, context=f"station:{session.pk.hex[:24]}")  # fmt: skip
            when += timedelta(seconds=heard)
    drain_all()
    exposure.refresh_exposure()
    return made


def _react(play: RadioPlay, rng: random.Random) -> float:
    """Feedback on the play, if any; returns how long it was heard (a dislike or a skip cuts
    it short)."""
    length = play.track.duration or 60
    liking = min(0.8, length / 120)
    roll = rng.random()
    if roll < liking * 0.5:
        services.record_feedback(play=play, kind=Feedback.Kind.LIKE)
        return length
    if roll < liking * 0.5 + 0.15:
        reason = rng.choice([r.value for r in Reason] + ["", ""])
        services.record_feedback(play=play, kind=Feedback.Kind.DISLIKE, reason=reason)
        return rng.uniform(5, length * 0.4)
    if roll < liking * 0.5 + 0.35:
        at = rng.uniform(0, length * 0.6)
        services.record_feedback(play=play, kind=Feedback.Kind.SKIP, at_seconds=at)
        return at
    return length
