"""Which radio objects a listener may touch: refusals are 404s, like everywhere else."""

from django.db.models import QuerySet
from django.http import Http404

from tracks.models import Track

from .models import RadioPlay, RadioSession, TimedComment


def access_session(*, listener_key: str, session_id) -> RadioSession:
    session = (
        RadioSession.objects.select_related("seed_artist", "seed_track")
        .filter(pk=session_id, listener_key=listener_key)
        .first()
    )
    if session is None:
        raise Http404("No such station.")
    return session


def access_play(*, listener_key: str, play_id) -> RadioPlay:
    """A radio play handed to this listener: feedback for anything else is refused."""
    play = (
        RadioPlay.objects.select_related("track__artist")
        .filter(pk=play_id, listener_key=listener_key)
        .first()
    )
    if play is None:
        raise Http404("This track was not played to you on the radio.")
    return play


def visible_comments(track: Track) -> QuerySet[TimedComment]:
    """A track's timed comments that moderators have not hidden, in track order."""
    # A suspended author's comments are hidden (not deleted) while the suspension lasts.
    return TimedComment.objects.filter(
        track=track, hidden_at__isnull=True, author__suspended_at=None
    ).select_related("author")


def access_comment_to_delete(*, user, comment_id) -> TimedComment:
    """A shown comment on a track `user` may see, that `user` may delete (its author or the
    track's artist); Http404 otherwise."""
    from tracks.selectors import can_see_track

    from .services import can_delete_comment

    comment = (
        TimedComment.objects.select_related("track__artist")
        .filter(pk=comment_id, hidden_at__isnull=True)
        .first()
    )
    if (
        comment is None
        or not can_see_track(user=user, track=comment.track)
        or not can_delete_comment(user=user, comment=comment)
    ):
        raise Http404("No such comment.")
    return comment
