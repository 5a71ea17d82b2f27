"""Writes of moderation: filing a report, and acting on one from the queue (which closes every
open report on the same thing and tells each reporter the outcome once)."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from backstage.models import User
from notifications.services import notify

from . import actions, limits
from .models import AuditEntry, Report
from .selectors import open_reports_on, target_of
from .targets import kind_of

Action = AuditEntry.Action

# What a reporter is told: the outcome only, never the staff note.
OUTCOMES = {
    Action.TAKE_DOWN: (Report.Status.RESOLVED, "We have taken it down."),
    Action.WARN: (Report.Status.RESOLVED, "We have warned the person responsible."),
    Action.SUSPEND: (Report.Status.RESOLVED, "We have suspended the account responsible."),
    Action.RESTORE: (Report.Status.DISMISSED, "We reviewed it and it stays available."),
    Action.DISMISS: (
        Report.Status.DISMISSED,
        "We reviewed it and found it within our rules, so it stays up.",
    ),
}
QUEUE_ACTIONS = tuple(OUTCOMES)


class AlreadyReported(Exception):
    """This person has an open report on this thing: staff will read it."""

    def __init__(self):
        super().__init__(
            "You have already reported this, and staff have not finished looking at it yet. "
            "You will hear from us when they have."
        )


def file_report(
    *,
    target: models.Model,
    reporter: User | None,
    email: str,
    category: str,
    details: str,
    who: str,
) -> Report:
    """Ask staff to look at `target` (the caller has checked the reporter may see it).

    Signed-in reporters are answered at their account's address; visitors give `email`. One open
    report per person (or address) and thing: AlreadyReported otherwise, nothing written.
    limits.TooMany over the rate limit, counted for `who`."""
    kind = kind_of(target)
    email = reporter.email if reporter is not None else email.strip()
    mine = open_reports_on(target=target)
    mine = (
        mine.filter(reporter=reporter)
        if reporter is not None
        else mine.filter(reporter__isnull=True, reporter_email__iexact=email)
    )
    if mine.exists():
        raise AlreadyReported
    taken = limits.take_for_reporter(who=who)
    try:
        with transaction.atomic():
            return Report.objects.create(
                target_type=ContentType.objects.get_for_model(kind.model),
                target_id=target.pk,
                target_label=kind.label(target),
                category=category,
                details=details.strip(),
                reporter=reporter,
                reporter_email=email,
            )
    except IntegrityError:  # the same person's twin request won the race
        limits.give_back(taken)
        raise AlreadyReported from None


def act_on_report(*, report: Report, action: str, actor: User, note: str) -> int:
    """Take `action` (one of QUEUE_ACTIONS) on what `report` is about, with `note` for the audit
    log; close this report and every other open one on the same thing, and e-mail each reporter
    the outcome after commit. Returns how many reports were closed.

    ValidationError without a note, for a report already closed, or for an action the thing
    no longer allows (it was deleted: only dismissing is left)."""
    if action not in OUTCOMES:
        raise ValidationError("Unknown action.")
    with transaction.atomic():
        # Locks the report: two moderators acting on it at once do it one after the other, and
        # the second finds it closed instead of acting twice.
        report = Report.objects.select_for_update().get(pk=report.pk)
        if report.status != Report.Status.OPEN:
            raise ValidationError("This report has already been closed by another moderator.")
        target = target_of(report)
        if target is None and action != Action.DISMISS:
            raise ValidationError("The reported thing no longer exists: dismiss the report.")
        _act(action=action, report=report, target=target, actor=actor, note=note)
        status, _text = OUTCOMES[action]
        siblings = Report.objects.filter(
            target_type_id=report.target_type_id,
            target_id=report.target_id,
            status=Report.Status.OPEN,
        )
        ids = sorted({report.pk, *siblings.values_list("id", flat=True)})
        Report.objects.filter(pk__in=ids).update(
            status=status, closed_at=timezone.now(), outcome=action
        )
        transaction.on_commit(lambda: _enqueue_emails(ids))
    return len(ids)


def _act(*, action: str, report: Report, target, actor: User, note: str) -> None:
    if action == Action.DISMISS:
        actions.dismiss(report=report, actor=actor, note=note)
        return
    if action == Action.TAKE_DOWN:
        actions.take_down(target=target, actor=actor, note=note, report=report)
        return
    if action == Action.RESTORE:
        actions.restore(target=target, actor=actor, note=note, report=report)
        return
    owner = kind_of(target).owner(target)
    if action == Action.WARN:
        actions.warn(user=owner, actor=actor, note=note, report=report)
        text = f"A moderator warned you about your {report.target_label}: {note.strip()}"
    else:
        actions.suspend_user(user=owner, actor=actor, note=note, report=report)
        text = f"Your account has been suspended because of your {report.target_label}: {note}"
    notify(user=owner, kind="moderation", text=text, email=True)


def _enqueue_emails(report_ids: list[int]) -> None:
    from .tasks import email_outcomes

    email_outcomes.delay(report_ids=report_ids)


def email_outcomes(*, report_ids: list[int]) -> int:
    """E-mail each closed report's reporter its outcome, once: a row is marked as mailed under
    its lock, so a task delivered twice sends nothing the second time. Returns how many."""
    from django.core.mail import send_mail

    sent = 0
    for report_id in report_ids:
        with transaction.atomic():
            report = (
                Report.objects.select_for_update(of=("self",))
                .select_related("reporter")
                .filter(pk=report_id, emailed_at__isnull=True, outcome__in=OUTCOMES)
                .exclude(status=Report.Status.OPEN)
                .first()
            )
            if report is None:
                continue
            address = report.reporter.email if report.reporter else report.reporter_email
            Report.objects.filter(pk=report.pk).update(emailed_at=timezone.now())
            if not address:
                continue
            send_mail(
                subject=f"{settings.SITE_NAME}: about your report",
                message=_outcome_text(report),
                from_email=None,
                recipient_list=[address],
            )
            sent += 1
    return sent


def _outcome_text(report: Report) -> str:
    _status, outcome = OUTCOMES[report.outcome]
    return (
        f"Hello,\n\nThank you for the report you sent on {report.created_at:%-d %B %Y} "
        f"({report.get_category_display().lower()}). Staff have looked at the "
        f"{ContentType.objects.get_for_id(report.target_type_id).name} you reported. "
        f"{outcome}\n\n"
        f"— {settings.SITE_NAME}\n"
    )
