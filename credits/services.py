"""Writes for credits and split proposals. Each is one transaction; notifications are recorded
in it and e-mailed after commit (notifications.services.notify). The callers have checked access
through credits.selectors (the uploader adds and proposes; the credited answer)."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse, reverse_lazy
from django.utils import timezone

from artists.models import Artist
from backstage.pagecache import forget_cached_pages
from messaging.selectors import blocked_between
from notifications.services import notify
from payments.split_models import Split
from payments.splits import Party, parse_splits, set_splits
from tracks.models import Release, Track

from .models import Credit, ProposalShare, SplitProposal
from .selectors import credited_artist_ids, find_artist, kind_of, work_filter

MAX_CREDITS = 50
SUSPENDED = "Your artist profile is suspended, so you can’t add credits or propose splits."
ACCEPTED = ProposalShare.Answer.ACCEPTED


class CreditError(Exception):
    """A refusal whose message (plain text) tells the person what to do."""


def _work_url(work: Track | Release) -> str:
    return reverse("credits:work", args=[kind_of(work), work.public_id])


INBOX = reverse_lazy("credits:inbox")  # where the credited answer


def _lock(work: Track | Release) -> None:
    """Lock the work's row: two proposals (or a proposal and a credit change) on one work are
    made one after the other, so "supersede the pending one" never sees a stale state."""
    type(work).objects.select_for_update().filter(pk=work.pk).first()


# --- Credits ----------------------------------------------------------------------------------


def add_credit(*, work: Track | Release, by: Artist, artist_text: str, role: str) -> Credit:
    """Credit an artist (typed as their address or exact name) on `by`'s work; they are asked to
    confirm. Raises CreditError for an unknown, suspended or own profile, one of the two having
    blocked the other (messaging), an unknown role, a credit that exists already, or too many
    credits, or a suspended uploader."""
    if by.is_suspended:
        raise CreditError(SUSPENDED)
    if role not in Credit.Role.values:
        raise CreditError("Choose a role from the list.")
    typed = artist_text.strip()[:100]
    if not typed:
        raise CreditError("Write the artist’s address (as in backstage/@their-address) or name.")
    artist = find_artist(text=typed)
    if artist is None:
        raise CreditError(
            f"There is no artist “{typed}”. Write their address (the part after @ in their "
            "page’s link) or their exact name."
        )
    if artist.id == by.id:
        raise CreditError(
            f"You uploaded this {kind_of(work)}, so you are its artist already; credit the "
            "people you made it with."
        )
    if artist.is_suspended:
        raise CreditError(f"{artist.name}’s profile is suspended, so they cannot be credited.")
    if blocked_between(user_a=by.user, user_b=artist.user):
        raise CreditError(f"You cannot credit {artist.name}: one of you has blocked the other.")
    label = Credit.Role(role).label
    with transaction.atomic():
        _lock(work)
        existing = Credit.objects.filter(**work_filter(work), artist=artist, role=role).first()
        if existing is not None:
            if existing.status == Credit.Status.DECLINED:
                raise CreditError(
                    f"{artist.name} declined this credit ({label}). Remove it first if you "
                    "want to ask again."
                )
            raise CreditError(f"{artist.name} is already credited as {label}.")
        if Credit.objects.filter(**work_filter(work)).count() >= MAX_CREDITS:
            raise CreditError(f"A {kind_of(work)} has at most {MAX_CREDITS} credits.")
        try:
            with transaction.atomic():
                credit = Credit.objects.create(**work_filter(work), artist=artist, role=role)
        except IntegrityError as exc:  # pragma: no cover - the lock above serialises adds
            raise CreditError(f"{artist.name} is already credited as {label}.") from exc
        notify(
            user=artist.user,
            kind="credit_asked",
            text=f"{by.name} credits you as {label} on “{work.title}”. Confirm or decline.",
            url=str(INBOX),
            email=True,
        )
    return credit


def answer_credit(*, credit: Credit, artist: Artist, confirm: bool) -> Credit:
    """The credited artist confirms (it shows publicly from now on) or declines their credit.
    Answering again the same way changes nothing; a declined credit cannot be confirmed (the
    uploader asks again)."""
    if credit.artist_id != artist.id:
        raise CreditError("Only the credited artist answers a credit.")
    wanted = Credit.Status.CONFIRMED if confirm else Credit.Status.DECLINED
    with transaction.atomic():
        current = Credit.objects.select_for_update().get(pk=credit.pk)
        if current.status == wanted:
            return current
        if current.status != Credit.Status.PENDING:
            raise CreditError(
                "You declined this credit. Ask the uploader to credit you again."
                if current.status == Credit.Status.DECLINED
                else "You confirmed this credit already; remove it if it is wrong."
            )
        current.status, current.answered_at = wanted, timezone.now()
        current.save(update_fields=["status", "answered_at"])
        work = current.work
        verb = "confirmed" if confirm else "declined"
        notify(
            user=work.artist.user,
            kind=f"credit_{verb}",
            text=f"{artist.name} {verb} their credit ({current.get_role_display()}) on "
            f"“{work.title}”.",
            url=_work_url(work),
        )
        if confirm:
            forget_cached_pages()
        else:
            _drop_from_pending(work=work, artist=artist)
    return current


def remove_credit(*, credit: Credit, by: Artist) -> None:
    """The uploader removes a credit, or the credited artist their own (at any time)."""
    work = credit.work
    if by.id not in (credit.artist_id, work.artist_id):
        raise CreditError("Only the uploader or the credited artist removes a credit.")
    with transaction.atomic():
        _lock(work)
        deleted, _ = Credit.objects.filter(pk=credit.pk).delete()
        if not deleted:
            return
        other = work.artist if by.id == credit.artist_id else credit.artist
        notify(
            user=other.user,
            kind="credit_removed",
            text=f"{by.name} removed the credit of {credit.artist.name} "
            f"({credit.get_role_display()}) on “{work.title}”.",
            url=_work_url(work) if other.id == work.artist_id else str(INBOX),
        )
        if credit.status == Credit.Status.CONFIRMED:
            forget_cached_pages()
        _drop_from_pending(work=work, artist=credit.artist)


def _drop_from_pending(*, work: Track | Release, artist: Artist) -> None:
    """Someone no longer credited on a work cannot be given a share of it: a waiting proposal
    that gives them one is declined (the split in effect stays)."""
    if artist.id in credited_artist_ids(work):
        return
    waiting = SplitProposal.objects.filter(
        **work_filter(work),
        status=SplitProposal.Status.PENDING,
        shares__artist=artist,
        shares__basis_points__gt=0,
    ).first()
    if waiting is not None:
        _close(waiting, SplitProposal.Status.DECLINED, f"{artist.name} is no longer credited.")
        notify(
            user=work.artist.user,
            kind="split_declined",
            text=f"Your split proposal for “{work.title}” was cancelled: {artist.name} is no "
            "longer credited. The split in effect stays.",
            url=_work_url(work),
        )


# --- Split proposals --------------------------------------------------------------------------


def _in_effect(work: Track | Release) -> list[Party]:
    return [
        Party(split.artist, split.basis_points)
        for split in Split.objects.filter(**work_filter(work)).select_related("artist")
    ]


def _same(a: list[Party], b: list[Party], owner: Artist) -> bool:
    """Two splits pay the same way (no split at all is the uploader's 100 %)."""

    def shares(parties):
        return sorted((p.artist.id, p.basis_points) for p in parties) or [(owner.id, 10_000)]

    return shares(a) == shares(b)


def propose_split(*, work: Track | Release, by: Artist, text: str) -> SplitProposal:
    """Propose how `by`'s work shares its sales ("artist-address percent" lines, summing to
    exactly 100 %; payments.splits.parse_splits reads them). Everyone else given a share — and
    everyone the split in effect pays whom the proposal leaves out — must accept before it
    takes effect; until then sales are shared as before. A waiting proposal is superseded (or
    withdrawn, when the text is the split in effect: that one is returned, closed).

    Raises ValidationError with every problem (nothing is written then): also for a suspended
    uploader, and a party who blocked the uploader or whom the uploader blocked."""
    if by.is_suspended:
        raise ValidationError(SUSPENDED)
    parties = parse_splits(text, owner=by)
    credited = credited_artist_ids(work)
    errors = []
    for number, party in enumerate(parties, start=1):  # parse_splits keeps the lines' order
        if party.artist.id == by.id:
            continue
        if party.artist.is_suspended:
            errors.append(f"Line {number}: {party.artist.name}’s profile is suspended.")
        elif blocked_between(user_a=by.user, user_b=party.artist.user):
            errors.append(
                f"Line {number}: you cannot give {party.artist.name} a share: one of you has "
                "blocked the other."
            )
        elif party.artist.id not in credited:
            errors.append(
                f"Line {number}: {party.artist.name} is not credited on this {kind_of(work)}; "
                "credit them first (they may still be answering)."
            )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        _lock(work)
        current = _in_effect(work)
        waiting = SplitProposal.objects.filter(
            **work_filter(work), status=SplitProposal.Status.PENDING
        ).first()
        if _same(parties, current, by):
            if waiting is None:
                raise ValidationError("That is the split in effect already.")
            # Proposing the split in effect withdraws the waiting proposal.
            _close(waiting, SplitProposal.Status.SUPERSEDED, "Withdrawn by the uploader.")
            return waiting
        if waiting is not None:
            _close(waiting, SplitProposal.Status.SUPERSEDED, "A newer proposal replaced it.")
        proposal = SplitProposal.objects.create(**work_filter(work), proposed_by=by)
        leaving = [p.artist for p in current if p.artist.id not in {q.artist.id for q in parties}]
        now = timezone.now()
        shares = ProposalShare.objects.bulk_create(
            ProposalShare(
                proposal=proposal,
                artist=artist,
                basis_points=basis_points,
                position=position,
                answer=ACCEPTED if artist.id == by.id else ProposalShare.Answer.PENDING,
                answered_at=now if artist.id == by.id else None,
            )
            for position, (artist, basis_points) in enumerate(
                [(p.artist, p.basis_points) for p in parties] + [(a, 0) for a in leaving]
            )
        )
        # Someone is always asked: a split that differs from the one in effect gives someone
        # else a share, or takes one away from someone whom the split in effect pays.
        asked = [share for share in shares if share.answer == ProposalShare.Answer.PENDING]
        for share in asked:
            yours = f"{share.percent} % for you" if share.basis_points else "no share for you"
            notify(
                user=share.artist.user,
                kind="split_proposed",
                text=f"{by.name} proposes a split of “{work.title}”: {yours}. Accept or decline.",
                url=str(INBOX),
                email=True,
            )
    return proposal


def answer_proposal(*, proposal: SplitProposal, artist: Artist, accept: bool) -> SplitProposal:
    """A party accepts or declines. The last acceptance makes the proposal the work's split; one
    decline rejects it (the uploader is told; the split in effect stays). Answering again the
    same way changes nothing."""
    with transaction.atomic():
        # The proposal row is locked: two parties accepting at the same moment would each see
        # the other's answer still pending, and the split would never take effect.
        proposal = (
            SplitProposal.objects.select_for_update(of=("self",))
            .select_related("track__artist", "release__artist")
            .get(pk=proposal.pk)
        )
        share = proposal.shares.filter(artist=artist).first()
        if share is None:
            raise CreditError("This proposal gives you no share to answer.")
        wanted = ProposalShare.Answer.ACCEPTED if accept else ProposalShare.Answer.DECLINED
        if share.answer == wanted:
            return proposal
        if proposal.status != SplitProposal.Status.PENDING:
            raise CreditError(
                {
                    SplitProposal.Status.SUPERSEDED: "This proposal was replaced by a newer one; "
                    "answer that one instead.",
                    SplitProposal.Status.DECLINED: "This proposal was declined, so it is closed.",
                    SplitProposal.Status.ACCEPTED: "This proposal took effect already.",
                }[proposal.status]
            )
        share.answer, share.answered_at = wanted, timezone.now()
        share.save(update_fields=["answer", "answered_at"])
        work = proposal.work
        if not accept:
            _close(proposal, SplitProposal.Status.DECLINED, f"{artist.name} declined.")
            notify(
                user=work.artist.user,
                kind="split_declined",
                text=f"{artist.name} declined your split proposal for “{work.title}”. The split "
                "in effect stays.",
                url=_work_url(work),
                email=True,
            )
        elif not proposal.shares.exclude(answer=ProposalShare.Answer.ACCEPTED).exists():
            _take_effect(proposal, work)
    return proposal


def _close(proposal: SplitProposal, status: str, note: str) -> None:
    proposal.status, proposal.decided_at, proposal.note = status, timezone.now(), note
    proposal.save(update_fields=["status", "decided_at", "note"])


def _take_effect(proposal: SplitProposal, work: Track | Release) -> None:
    """Everyone accepted: the proposal becomes the work's payments.Split rows (booking reads
    them for every later sale; sales booked before keep their shares)."""
    shares = list(proposal.shares.select_related("artist"))
    set_splits(
        work=work,
        parties=[Party(s.artist, s.basis_points) for s in shares if s.basis_points > 0],
    )
    _close(proposal, SplitProposal.Status.ACCEPTED, "Everyone accepted.")
    for share in shares:
        if share.artist.id != work.artist_id:
            notify(
                user=share.artist.user,
                kind="split_in_effect",
                text=f"The split of “{work.title}” is in effect: {share.percent} % for you, "
                "from the next sale on.",
                url=_work_url(work),
            )
    if any(share.artist.id != work.artist_id for share in shares):
        notify(
            user=work.artist.user,
            kind="split_in_effect",
            text=f"Everyone accepted your split of “{work.title}”: it applies from the next sale.",
            url=_work_url(work),
            email=True,
        )
