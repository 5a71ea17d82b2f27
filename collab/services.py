"""Writes of the collaboration board: posting and closing calls, answering them, deciding.

Each function is one transaction; notifications (notifications.services.notify) are written in
it and e-mailed only after it commits. Callers have checked who is asking (views use the
access_* selectors): `post_call` trusts that `poster` is the signed-in artist, the decisions
that the signed-in user posted the call."""

import datetime

from django.db import IntegrityError, transaction
from django.utils import dateformat, timezone

from artists.models import Artist
from messaging.selectors import blocked_between
from notifications.services import notify
from tracks.models import Track

from . import selectors
from .models import DECISION_GRACE, Application, Call, today

MAX_ANSWER_TRACKS = 5
MAX_DAYS_AHEAD = 365


class Refused(Exception):
    """A write that cannot be done; the message says why, for the person who asked."""


class Suspended(Refused):
    """The artist asking is suspended (the views answer 403)."""


SUSPENDED = (
    "Your artist profile is suspended, so you can’t post or answer calls. "
    "If you think this is a mistake, write to the site’s team."
)


def check_in_good_standing(artist: Artist) -> None:
    if artist.is_suspended:
        raise Suspended(SUSPENDED)


def check_deadline(deadline: datetime.date) -> None:
    if deadline <= today():
        raise Refused("The deadline must be a day in the future.")
    if deadline > today() + datetime.timedelta(days=MAX_DAYS_AHEAD):
        raise Refused("The deadline can be at most a year from today.")


def post_call(
    *,
    poster: Artist,
    title: str,
    description: str,
    skills: list[str],
    genre: str,
    remote: bool,
    place: str,
    compensation: str,
    deadline: datetime.date,
    reference_track: Track | None = None,
) -> Call:
    """Open a call. Refused for a bad deadline, a reference track that is not one of the
    poster's own private or unlisted tracks, or an open call of theirs with the same title, and
    (Suspended) for a suspended poster."""
    check_in_good_standing(poster)
    check_deadline(deadline)
    if not (remote or place):
        raise Refused("Say where: tick “remote” or name a place.")
    if (
        reference_track is not None
        and not selectors.reference_choices(artist=poster).filter(id=reference_track.id).exists()
    ):
        raise Refused("The reference track must be one of your own private or unlisted tracks.")
    try:
        with transaction.atomic():
            return Call.objects.create(
                poster=poster,
                title=title,
                description=description,
                skills=skills,
                genre=genre,
                remote=remote,
                place=place,
                compensation=compensation,
                deadline=deadline,
                reference_track=reference_track,
            )
    except IntegrityError as exc:  # call_one_open_per_title: a double submit, or a repeat
        raise Refused(f"You already have an open call called “{title}”.") from exc


@transaction.atomic
def apply_to_call(
    *, call: Call, applicant: Artist, message: str, tracks: list[Track]
) -> Application:
    """Answer a call with a message and up to five of the applicant's own listed tracks; the
    poster is told. Refused for one's own call, a closed call, a second answer, or tracks
    that are not the applicant's own listed ones, and (Suspended) for a suspended applicant."""
    check_in_good_standing(applicant)
    if call.poster_id == applicant.id:
        raise Refused("This is your own call: you cannot answer it.")
    if blocked_between(user_a=call.poster.user, user_b=applicant.user):
        raise Refused("You cannot answer this call.")  # says no more than the messages do
    if len(tracks) > MAX_ANSWER_TRACKS:
        raise Refused(f"Link at most {MAX_ANSWER_TRACKS} tracks.")
    allowed = selectors.answer_track_choices(artist=applicant).filter(id__in=[t.id for t in tracks])
    if allowed.count() != len({t.id for t in tracks}):
        raise Refused("You can only link your own public tracks.")
    # Lock the call: a close at the same moment either happens first (and this answer is
    # refused) or after (and tells this applicant) — no answer slips in unseen after a close.
    locked = Call.objects.select_for_update().get(id=call.id)
    if not locked.is_open:
        raise Refused("This call is closed: it no longer takes answers.")
    if Application.objects.filter(call=locked, applicant=applicant).exists():
        raise Refused("You already answered this call. The poster will get back to you.")
    try:
        with transaction.atomic():
            application = Application.objects.create(
                call=locked, applicant=applicant, message=message
            )
    except IntegrityError as exc:  # apply_once_per_call, should the lock ever be bypassed
        raise Refused("You already answered this call.") from exc
    application.tracks.set(tracks)
    notify(
        user=call.poster.user,
        kind="collab.answer",
        text=f"{applicant.name} answered your call “{call.title}”.",
        url=call.get_absolute_url(),
        email=True,
    )
    return application


# decision → (the status it sets, the statuses it may follow, what the applicant is told)
DECISIONS = {
    "shortlist": (
        Application.Status.SHORTLISTED,
        {Application.Status.PENDING},
        "{poster} shortlisted your answer to “{title}”.",
    ),
    "accept": (
        Application.Status.ACCEPTED,
        {Application.Status.PENDING, Application.Status.SHORTLISTED},
        "{poster} accepted your answer to “{title}”. Send them a message to get started.",
    ),
    "decline": (
        Application.Status.DECLINED,
        {Application.Status.PENDING, Application.Status.SHORTLISTED},
        "{poster} declined your answer to “{title}”. Thank you for answering.",
    ),
}


@transaction.atomic
def decide_application(*, application: Application, decision: str) -> Application:
    """Shortlist, accept or decline an answer, and tell the applicant (in the app and by
    e-mail). Repeating a decision changes nothing; accepted and declined are final. Decisions
    go on for DECISION_GRACE after the call closes. When one of the two has blocked the other,
    only declining goes through, and the applicant is not told."""
    status, follows, text = DECISIONS[decision]
    # Lock the call, then the answer: a double click tells the applicant once, and a close
    # at the same moment either comes first (refusing this) or sees the decision made.
    call = Call.objects.select_for_update().select_related("poster").get(id=application.call_id)
    application = (
        Application.objects.select_for_update()
        .select_related("applicant__user")
        .get(id=application.id)
    )
    if application.status == status:
        return application
    if not call.takes_decisions:
        raise Refused(
            "This call closed more than "
            f"{DECISION_GRACE.days} days ago: its answers can no longer be changed."
        )
    if application.status not in follows:
        raise Refused(f"This answer is already {application.get_status_display().lower()}.")
    blocked = blocked_between(user_a=call.poster.user, user_b=application.applicant.user)
    if blocked and status != Application.Status.DECLINED:
        # Accepting asks both to write to each other, which messaging refuses between them.
        raise Refused(
            f"You cannot {decision} {application.applicant.name}: one of you has blocked "
            "the other. You can still decline."
        )
    application.status = status
    application.decided_at = timezone.now()
    application.save(update_fields=["status", "decided_at"])
    if blocked:
        return application  # a block means no contact: the decline is not announced
    notify(
        user=application.applicant.user,
        kind=f"collab.{decision}",
        text=text.format(poster=call.poster.name, title=call.title),
        url=call.get_absolute_url(),
        email=True,
    )
    return application


@transaction.atomic
def close_call(*, call_id: int, at_deadline: bool = False) -> bool:
    """Close an open call: it takes no new answers. Its poster may still decide for
    DECISION_GRACE; the applicants still waiting then are told by `tell_waiting_applicants`.
    At the deadline (the beat) the poster is told how many answers wait. False when it was
    closed already (a repeated click, or the deadline task got there first)."""
    # Lock the call: the poster's button and the deadline task at the same moment close it
    # once (and tell the poster once).
    call = (
        Call.objects.select_for_update()
        .select_related("poster__user")
        .filter(id=call_id, status=Call.Status.OPEN)
        .first()
    )
    if call is None:
        return False
    call.status = Call.Status.CLOSED
    call.closed_at = timezone.now()
    call.save(update_fields=["status", "closed_at"])
    if at_deadline:
        waiting = call.applications.filter(status__in=Application.UNDECIDED).count()
        until = dateformat.format(call.closed_at + DECISION_GRACE, "j F Y")
        notify(
            user=call.poster.user,
            kind="collab.call_closed",
            text=f"Your call “{call.title}” reached its deadline and closed. "
            + (
                f"{waiting} answer{'s' if waiting != 1 else ''} still wait for your decision: "
                f"you can decide until {until}."
                if waiting
                else "No answers wait for a decision."
            ),
            url=call.get_absolute_url(),
            email=True,
        )
    return True


@transaction.atomic
def tell_waiting_applicants(*, call_id: int) -> bool:
    """At the end of a closed call's grace period, tell each applicant still waiting (pending
    or shortlisted) that it closed without an answer to theirs. False when there was nothing
    to do (still open, grace not over, or told already)."""
    # Lock the call: two runs of the beat at once tell each applicant once, and a decision
    # at the same moment either comes first (and that applicant is not told twice) or is
    # refused.
    call = (
        Call.objects.select_for_update()
        .select_related("poster")
        .filter(
            id=call_id,
            status=Call.Status.CLOSED,
            waiting_told_at__isnull=True,
            closed_at__lte=timezone.now() - DECISION_GRACE,
        )
        .first()
    )
    if call is None:
        return False
    call.waiting_told_at = timezone.now()
    call.save(update_fields=["waiting_told_at"])
    waiting = call.applications.filter(status__in=Application.UNDECIDED).select_related(
        "applicant__user"
    )
    for application in waiting:
        notify(
            user=application.applicant.user,
            kind="collab.closed",
            text=f"The call “{call.title}” by {call.poster.name} closed without an answer "
            "to yours. Thank you for answering.",
            url=call.get_absolute_url(),
            email=True,
        )
    return True


def close_expired_calls() -> int:
    """Close every open call whose deadline day has ended, and tell the applicants still
    waiting on calls whose grace period has ended; returns how many calls this run closed.
    Each call in its own transaction: should one fail, those done before it stay done and
    the next run picks up the rest."""
    expired = Call.objects.filter(status=Call.Status.OPEN, deadline__lt=today())
    closed = sum(
        close_call(call_id=call_id, at_deadline=True)
        for call_id in expired.values_list("id", flat=True)
    )
    graced = Call.objects.filter(
        status=Call.Status.CLOSED,
        waiting_told_at__isnull=True,
        closed_at__lte=timezone.now() - DECISION_GRACE,
    )
    for call_id in graced.values_list("id", flat=True):
        tell_waiting_applicants(call_id=call_id)
    return closed
