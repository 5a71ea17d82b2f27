"""The e-mails of a claim's life: to the claimant (received, rejected, counter-notice, restored)
and to the uploader (taken down, restored). Plain text, sent by takedowns.send_email after the
transaction that decided them commits."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse

from backstage.models import User

from .models import ClaimedWork, CopyrightClaim, CounterNotice


def _works(works) -> str:
    return "\n".join(f"- {work.label}\n  {settings.SITE_URL}{_path(work)}" for work in works)


def _path(work: ClaimedWork) -> str:
    target = work.target()
    if target is not None and hasattr(target, "get_absolute_url"):
        return target.get_absolute_url()
    return ""


def counter_notice_path(claim: CopyrightClaim) -> str:
    return reverse("takedowns:counter", kwargs={"reference": claim.reference})


def _received(claim: CopyrightClaim, user: User | None, note: str):
    body = (
        f"Dear {claim.claimant_name},\n\n"
        f"We received your copyright claim. Its reference is {claim.reference}: quote it if "
        "you write to us about it.\n\n"
        f"It names these works:\n{_works(claim.works.all())}\n\n"
        "Our staff will review it and write to you when they have acted on it. If we take the "
        "works down, their uploader is told and may answer with a counter-notice, which we "
        "will send you.\n"
    )
    return f"Your copyright claim {claim.reference}", body, [claim.email]


def _taken_down(claim: CopyrightClaim, user: User | None, note: str):
    works = claim.works.filter(owner=user, taken_down_at__isnull=False, restored_at__isnull=True)
    body = (
        f"We have taken down the following after a copyright claim ({claim.reference}) from "
        f"{claim.claimant_name}{f' ({claim.organisation})' if claim.organisation else ''}:\n\n"
        f"{_works(works)}\n\n"
        f"The claimant describes the copyrighted work as:\n\n{claim.work_description}\n\n"
        "Nothing is deleted: the works are hidden from everyone but you and our staff.\n\n"
        "If you believe this is a mistake (you own the rights, hold a licence, or the work is "
        "not the one claimed), you can file a counter-notice:\n"
        f"{settings.SITE_URL}{counter_notice_path(claim)}\n"
    )
    return f"Copyright claim {claim.reference}: your work was taken down", body, [user.email]


def _rejected(claim: CopyrightClaim, user: User | None, note: str):
    body = (
        f"Dear {claim.claimant_name},\n\n"
        f"We have reviewed your copyright claim {claim.reference} and will not act on it.\n\n"
        f"Our reason:\n{note}\n"
    )
    return f"Your copyright claim {claim.reference}", body, [claim.email]


def _counter_notice_text(notice: CounterNotice) -> str:
    return (
        f"Counter-notice filed {notice.created_at:%Y-%m-%d %H:%M} UTC, signed "
        f"“{notice.signature}”\n\n"
        f"Statement:\n{notice.statement}\n\n"
        "- The uploader swears, under penalty of perjury, that they have a good-faith belief "
        "that the material was removed as a result of mistake or misidentification.\n"
        "- The uploader consents to the jurisdiction of the court for their judicial district "
        "and will accept service of process from the claimant.\n\n"
        f"Postal address:\n{notice.postal_address}\n"
    )


def _countered(claim: CopyrightClaim, user: User | None, note: str):
    notices = claim.counter_notices.filter(user=user) if user else claim.counter_notices.all()
    texts = "\n\n".join(_counter_notice_text(notice) for notice in notices)
    preface = f"A note from our staff:\n{note}\n\n" if note else ""
    body = (
        f"Dear {claim.claimant_name},\n\n"
        f"The uploader of works named in your copyright claim {claim.reference} has answered "
        "with a counter-notice, below.\n\n"
        f"{preface}{texts}\n"
        "Unless you tell us that you have filed a court action seeking to restrain the "
        "uploader, we may restore the works.\n"
    )
    return f"Counter-notice to your copyright claim {claim.reference}", body, [claim.email]


def _restored(claim: CopyrightClaim, user: User | None, note: str):
    if user is not None:
        body = (
            f"After your counter-notice to the copyright claim {claim.reference}, we have "
            "restored your works: they are visible again as before.\n"
        )
        return f"Copyright claim {claim.reference}: your work is back", body, [user.email]
    body = (
        f"Dear {claim.claimant_name},\n\n"
        f"After the uploader's counter-notice, we have restored the works named in your "
        f"copyright claim {claim.reference}.\n"
    )
    return f"Your copyright claim {claim.reference}", body, [claim.email]


MESSAGES = {
    "received": _received,
    "taken_down": _taken_down,
    "rejected": _rejected,
    "countered": _countered,
    "restored": _restored,
}


def send(*, claim: CopyrightClaim, message: str, user: User | None = None, note: str = "") -> None:
    subject, body, recipients = MESSAGES[message](claim, user, note)
    if all(recipients):
        # Answers go to the designated agent, not to the no-reply sender.
        EmailMessage(
            subject=subject, body=body, to=recipients, reply_to=[settings.COPYRIGHT_AGENT_EMAIL]
        ).send()
