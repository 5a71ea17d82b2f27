"""Who may see which claim outside the admin."""

from django.http import Http404

from backstage.models import User

from .models import CopyrightClaim


def access_claim_for_uploader(*, user: User, reference: str) -> CopyrightClaim:
    """The claim if it took down a work of `user` (now or earlier); Http404 otherwise, so a
    claim's existence is told to nobody else."""
    claim = (
        CopyrightClaim.objects.filter(
            reference=reference, works__owner=user, works__taken_down_at__isnull=False
        )
        .distinct()
        .first()
    )
    if claim is None:
        raise Http404("No such claim.")
    return claim


def counter_notice_state(*, claim: CopyrightClaim, user: User) -> dict:
    """What the counter-notice page shows `user`: their works this claim took down, those it
    still keeps down, and the counter-notice they filed (None if not yet)."""
    works = list(claim.works.filter(owner=user, taken_down_at__isnull=False))
    return {
        "claim": claim,
        "works": works,
        "down": [work for work in works if work.is_down_by_claim],
        "filed": claim.counter_notices.filter(user=user).first(),
    }


def received_claim(*, reference: str) -> CopyrightClaim:
    """The claim a confirmation page names: its reference is unguessable and the page shows
    nothing personal, only the reference and the number of works."""
    claim = CopyrightClaim.objects.filter(reference=reference).first()
    if claim is None:
        raise Http404("No such claim.")
    return claim


def claim_submitted(*, submission) -> CopyrightClaim | None:
    """The claim this form's one-time token already made, if any."""
    return CopyrightClaim.objects.filter(submission=submission).first()
