"""Every write of the copyright flow: a claim comes in, staff take the works down or reject
it, an uploader answers with a counter-notice, staff forward it and restore the works. Hiding
and restoring go through moderation.actions (which write the audit log); e-mails are sent by a
task once the transaction commits."""

import uuid
from collections import defaultdict

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from backstage.models import User
from moderation import actions
from moderation.models import AuditEntry
from moderation.targets import kind_of
from notifications.services import notify

from .emails import counter_notice_path
from .models import ClaimedWork, ClaimEvent, CopyrightClaim, CounterNotice
from .works import Work

Status = CopyrightClaim.Status
Event = ClaimEvent.Kind


class NotNow(ValidationError):
    """The claim is not in a state where this action makes sense (a stale admin page)."""


def _email(claim: CopyrightClaim, message: str, *, user: User | None = None, note: str = ""):
    from .tasks import send_email

    kwargs = {"claim_id": claim.id, "message": message, "note": note}
    if user is not None:
        kwargs["user_id"] = user.id
    transaction.on_commit(lambda: send_email.delay(**kwargs))


def _tell_uploader(claim: CopyrightClaim, owner: User, message: str, text: str) -> None:
    """In the app (linking to the claim's counter-notice page) and by e-mail."""
    notify(user=owner, kind=f"copyright.{message}", text=text, url=counter_notice_path(claim))
    _email(claim, message, user=owner)


def _required(note: str) -> None:
    if not (note or "").strip():
        raise ValidationError("Write a note saying why: it goes into the audit log.")


def _lock(claim: CopyrightClaim, *allowed: str) -> CopyrightClaim:
    """The claim's row, locked so two staff clicking at once act once; NotNow unless its
    status is one of `allowed`."""
    locked = CopyrightClaim.objects.select_for_update().get(pk=claim.pk)
    if locked.status not in allowed:
        raise NotNow(f"This claim is {locked.get_status_display().lower()}: nothing to do.")
    return locked


def _set_status(claim: CopyrightClaim, status: str) -> None:
    claim.status = status
    claim.save(update_fields=["status", "updated_at"])


def _audit_note(claim: CopyrightClaim, note: str) -> str:
    return f"Copyright claim {claim.reference}: {note}"


def submit_claim(
    *, submission: uuid.UUID, works: list[Work], submitted_by: User | None, **fields
) -> tuple[CopyrightClaim, bool]:
    """Record a claim and its works, and e-mail the claimant its reference. Returns (claim,
    created): the same `submission` sent again (a double click racing the first) gives the
    claim the first one made."""
    try:
        with transaction.atomic():
            claim = CopyrightClaim.objects.create(
                submission=submission,
                submitted_by=submitted_by if submitted_by and submitted_by.pk else None,
                good_faith=True,
                accurate_under_penalty=True,
                **fields,
            )
            ClaimedWork.objects.bulk_create(
                ClaimedWork(
                    claim=claim,
                    content_type=ContentType.objects.get_for_model(type(work.obj)),
                    object_id=work.obj.pk,
                    label=work.label,
                    url=work.url[:500],
                    owner=work.owner,
                )
                for work in works
            )
            ClaimEvent.objects.create(claim=claim, kind=Event.RECEIVED)
            _email(claim, "received")
    except IntegrityError:
        # Both clicks passed the lookup above; the unique submission let one of them in.
        return CopyrightClaim.objects.get(submission=submission), False
    return claim, True


@transaction.atomic
def take_down_works(*, claim: CopyrightClaim, actor: User, note: str) -> CopyrightClaim:
    """Hide every work the claim names (moderation.actions.take_down, one audit entry each);
    works already hidden for another reason are left as they are. Each uploader is told in the
    app and by e-mail, with a link to the counter-notice form."""
    _required(note)
    claim = _lock(claim, Status.RECEIVED)
    owners = defaultdict(list)
    for work in claim.works.select_related("content_type"):
        target = work.target()
        if target is None or kind_of(target).is_hidden(target):
            continue
        actions.take_down(target=target, actor=actor, note=_audit_note(claim, note))
        work.taken_down_at = timezone.now()
        work.save(update_fields=["taken_down_at"])
        if work.owner is not None:
            owners[work.owner].append(f"“{target}”")
    _set_status(claim, Status.ACTIONED)
    ClaimEvent.objects.create(claim=claim, kind=Event.TAKEN_DOWN, actor=actor, note=note)
    for owner, titles in owners.items():
        _tell_uploader(
            claim,
            owner,
            "taken_down",
            f"After a copyright claim ({claim.reference}) we took down {', '.join(titles)}. "
            "If this is a mistake, file a counter-notice.",
        )
    return claim


@transaction.atomic
def reject_claim(*, claim: CopyrightClaim, actor: User, note: str) -> CopyrightClaim:
    """Close a claim without acting on it; the claimant is e-mailed the note as the reason.
    Nothing the public sees changes, so the audit log gets a "dismissed" entry per work."""
    _required(note)
    claim = _lock(claim, Status.RECEIVED)
    for work in claim.works.select_related("content_type"):
        target = work.target()
        if target is not None:
            actions.record(
                action=AuditEntry.Action.DISMISS,
                actor=actor,
                note=_audit_note(claim, f"rejected: {note}"),
                target=target,
            )
    _set_status(claim, Status.REJECTED)
    ClaimEvent.objects.create(claim=claim, kind=Event.REJECTED, actor=actor, note=note)
    _email(claim, "rejected", note=note)
    return claim


def works_down_for(*, claim: CopyrightClaim, user: User):
    """The works of `user` this claim keeps down."""
    return claim.works.filter(owner=user, taken_down_at__isnull=False, restored_at__isnull=True)


@transaction.atomic
def file_counter_notice(
    *, claim: CopyrightClaim, user: User, statement: str, postal_address: str, signature: str
) -> CounterNotice:
    """The uploader's answer; the claimant is e-mailed it and staff see the claim "countered".
    The caller checked that `user` has a work this claim keeps down and has not answered yet
    (the unique constraint stops a double submit that raced past that check)."""
    claim = _lock(claim, Status.ACTIONED, Status.COUNTERED, Status.RESTORED)
    if not works_down_for(claim=claim, user=user).exists():
        raise NotNow("This claim no longer keeps any of your works down.")
    notice = CounterNotice.objects.create(
        claim=claim,
        user=user,
        statement=statement,
        postal_address=postal_address,
        signature=signature,
        good_faith_mistake=True,  # both statements are required by the form
        consent_to_jurisdiction=True,
    )
    _set_status(claim, Status.COUNTERED)
    ClaimEvent.objects.create(claim=claim, kind=Event.COUNTERED, actor=user)
    _email(claim, "countered", user=user)
    return notice


@transaction.atomic
def forward_counter_notices(*, claim: CopyrightClaim, actor: User, note: str) -> CopyrightClaim:
    """E-mail the claimant every counter-notice again, with staff's note."""
    _required(note)
    claim = _lock(claim, Status.COUNTERED, Status.RESTORED)
    claim.counter_notices.update(forwarded_at=timezone.now())
    ClaimEvent.objects.create(claim=claim, kind=Event.FORWARDED, actor=actor, note=note)
    _email(claim, "countered", note=note)
    return claim


@transaction.atomic
def restore_works(*, claim: CopyrightClaim, actor: User, note: str) -> CopyrightClaim:
    """Show again the works of every uploader who filed a counter-notice
    (moderation.actions.restore, one audit entry each); claimant and uploaders are told.
    Works of uploaders who did not answer stay down."""
    _required(note)
    claim = _lock(claim, Status.COUNTERED)
    countered = set(claim.counter_notices.values_list("user_id", flat=True))
    owners = set()
    for work in claim.works.select_related("content_type", "owner"):
        if not work.is_down_by_claim or work.owner_id not in countered:
            continue
        target = work.target()
        if target is not None and kind_of(target).is_hidden(target):
            actions.restore(target=target, actor=actor, note=_audit_note(claim, note))
        work.restored_at = timezone.now()
        work.save(update_fields=["restored_at"])
        owners.add(work.owner)
    _set_status(claim, Status.RESTORED)
    ClaimEvent.objects.create(claim=claim, kind=Event.RESTORED, actor=actor, note=note)
    _email(claim, "restored")
    for owner in owners:
        _tell_uploader(
            claim,
            owner,
            "restored",
            f"Your counter-notice to the copyright claim {claim.reference} was accepted: "
            "your works are visible again.",
        )
    return claim
