"""What staff can do about a report or a thing: each action changes what people see and writes
one audit entry in the same transaction, and every one needs a note saying why."""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from artists.models import Artist
from backstage.models import User
from backstage.pagecache import forget_cached_pages

from .models import AuditEntry, Report
from .targets import kind_of

Action = AuditEntry.Action


def _required(note: str) -> str:
    note = (note or "").strip()
    if not note:
        raise ValidationError("Write a note saying why: it goes into the audit log.")
    return note


def record(
    *,
    action: str,
    actor: User | None,
    note: str,
    target: models.Model | None = None,
    subject: User | None = None,
    report: Report | None = None,
) -> AuditEntry:
    entry = AuditEntry(action=action, actor=actor, note=_required(note), report=report)
    if target is not None:
        kind = kind_of(target)
        entry.target_type = ContentType.objects.get_for_model(kind.model)
        entry.target_id = target.pk
        entry.target_label = kind.label(target)
        subject = subject or kind.owner(target)
    entry.subject = subject
    entry.save()
    return entry


@transaction.atomic
def take_down(*, target: models.Model, actor: User, note: str, report: Report | None = None):
    kind_of(target).hide(target, _required(note))
    return record(action=Action.TAKE_DOWN, actor=actor, note=note, target=target, report=report)


@transaction.atomic
def restore(*, target: models.Model, actor: User, note: str, report: Report | None = None):
    _required(note)
    kind_of(target).unhide(target)
    return record(action=Action.RESTORE, actor=actor, note=note, target=target, report=report)


@transaction.atomic
def warn(*, user: User, actor: User, note: str, report: Report | None = None) -> AuditEntry:
    """A recorded warning; the person is told (notifications) by the caller's flow."""
    return record(action=Action.WARN, actor=actor, note=note, subject=user, report=report)


def _set_suspended(user: User, *, since) -> None:
    """The user's suspension and their artist profile's, kept together; the anonymous page
    cache dropped (it may show their music, playlists or comments)."""
    User.objects.filter(pk=user.pk).update(suspended_at=since)
    Artist.objects.filter(user=user).update(is_suspended=since is not None)
    forget_cached_pages()
    user.refresh_from_db(fields=["suspended_at"])


@transaction.atomic
def suspend_user(*, user: User, actor: User, note: str, report: Report | None = None):
    """The person can no longer sign in, upload, comment, message or be paid out, and their
    artist profile and music are hidden; a supporter plan they pay for ends with the month paid
    for. Nothing is deleted; `unsuspend_user` undoes the rest (the plan they can start again)."""
    from payments.tasks import end_plan_of_suspended

    _required(note)
    _set_suspended(user, since=timezone.now())
    transaction.on_commit(lambda: end_plan_of_suspended.delay(user.pk))
    return record(action=Action.SUSPEND, actor=actor, note=note, subject=user, report=report)


@transaction.atomic
def unsuspend_user(*, user: User, actor: User, note: str) -> AuditEntry:
    _required(note)
    _set_suspended(user, since=None)
    return record(action=Action.UNSUSPEND, actor=actor, note=note, subject=user)


@transaction.atomic
def dismiss(*, report: Report, actor: User, note: str) -> AuditEntry:
    Report.objects.filter(pk=report.pk).update(
        status=Report.Status.DISMISSED, closed_at=timezone.now()
    )
    report.refresh_from_db()
    return record(action=Action.DISMISS, actor=actor, note=note, report=report)
