"""Credits and split proposals: the uploader's page per work, the credited artist's answers."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from backstage.limits import TooMany, give_back
from backstage.problems import problem_page, too_many_page
from backstage.toggles import next_url

from . import limits, selectors, services

MAX_TEXT = 5000


def _artists_only(view):
    """A signed-in user without an artist profile gets a page saying how to make one."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except selectors.NotAnArtist:
            return render(request, "credits/need_artist.html", status=403)

    return login_required(wrapper)


def _take(request, action: str, artist, back: str):
    """Count the write against the artist's limits: (keys taken, None), or (None, a 429 page
    with Retry-After) when over one."""
    try:
        return limits.take_for_artist(action, artist=artist), None
    except TooMany as refusal:
        return None, too_many_page(request, refusal, back=back)


def _work_page(request, work, artist, *, errors=(), status=200, **form):
    context = selectors.work_page(work=work, artist=artist)
    return render(
        request, "credits/work.html", {**context, "errors": errors, **form}, status=status
    )


@_artists_only
def inbox(request):
    """Studio → Credits: what waits for my answer, my credits, my works with credits."""
    artist = selectors.artist_required(user=request.user)
    return render(request, "credits/inbox.html", selectors.inbox(artist=artist))


@_artists_only
def work(request, kind: str, public_id: str):
    work, artist = selectors.access_work(user=request.user, kind=kind, public_id=public_id)
    return _work_page(request, work, artist)


@_artists_only
@require_POST
def add(request, kind: str, public_id: str):
    work, artist = selectors.access_work(
        user=request.user, kind=kind, public_id=public_id, write=True
    )
    typed, role = request.POST.get("artist", "")[:200], request.POST.get("role", "")[:20]
    back = reverse("credits:work", args=[kind, public_id])
    taken, refused = _take(request, "credit", artist, back)
    if refused:
        return refused
    try:
        credit = services.add_credit(work=work, by=artist, artist_text=typed, role=role)
    except services.CreditError as refusal:
        give_back(taken)
        return _work_page(
            request, work, artist, errors=[str(refusal)], status=400, typed=typed, role=role
        )
    role = credit.get_role_display()
    messages.success(request, f"{credit.artist.name} is asked to confirm their credit as {role}.")
    return redirect(back)


@_artists_only
@require_POST
def propose(request, kind: str, public_id: str):
    work, artist = selectors.access_work(
        user=request.user, kind=kind, public_id=public_id, write=True
    )
    text = request.POST.get("splits", "")[:MAX_TEXT]
    back = reverse("credits:work", args=[kind, public_id])
    taken, refused = _take(request, "propose", artist, back)
    if refused:
        return refused
    try:
        proposal = services.propose_split(work=work, by=artist, text=text)
    except ValidationError as refusal:
        give_back(taken)
        return _work_page(
            request, work, artist, errors=refusal.messages, status=400, splits_text=text
        )
    if proposal.status == proposal.Status.SUPERSEDED:
        messages.success(request, "Proposal withdrawn: the split in effect stays.")
    else:
        messages.success(
            request, "Split proposed. It takes effect once everyone named has accepted."
        )
    return redirect(back)


def _answer(request, choices: dict[str, bool]) -> bool | None:
    return choices.get(request.POST.get("answer", ""))


@_artists_only
@require_POST
def credit_answer(request, credit_id: int):
    credit, artist = selectors.access_credit(user=request.user, credit_id=credit_id)
    back = next_url(request, reverse("credits:inbox"))
    if credit.artist_id != artist.id:
        raise Http404("Only the credited artist answers a credit.")
    confirm = _answer(request, {"confirm": True, "decline": False})
    if confirm is None:
        return problem_page(request, "Answer with Confirm or Decline.", 400, back=back)
    try:
        services.answer_credit(credit=credit, artist=artist, confirm=confirm)
    except services.CreditError as refusal:
        return problem_page(request, str(refusal), 409, back=back)
    if confirm:
        messages.success(request, f"Credit confirmed: you appear on “{credit.work.title}”.")
        return redirect(back)
    messages.success(request, f"Credit declined: you will not appear on “{credit.work.title}”.")
    return redirect(_still_a_party(request, credit, back))


@_artists_only
@require_POST
def credit_remove(request, credit_id: int):
    credit, artist = selectors.access_credit(user=request.user, credit_id=credit_id)
    back = next_url(request, reverse("credits:inbox"))
    services.remove_credit(credit=credit, by=artist)
    messages.success(request, f"Credit removed from “{credit.work.title}”.")
    return redirect(_still_a_party(request, credit, back))


def _still_a_party(request, credit, back: str) -> str:
    """`back`, unless it is the work's credits page and the user may no longer see it (they
    declined or removed their only tie to it): then their own credits page."""
    if back != reverse("credits:work", args=[credit.kind, credit.work.public_id]):
        return back
    try:
        selectors.access_work(user=request.user, kind=credit.kind, public_id=credit.work.public_id)
    except Http404:
        return reverse("credits:inbox")
    return back


@_artists_only
@require_POST
def proposal_answer(request, proposal_id: int):
    proposal, artist = selectors.access_proposal(user=request.user, proposal_id=proposal_id)
    back = next_url(request, reverse("credits:inbox"))
    accept = _answer(request, {"accept": True, "decline": False})
    if accept is None:
        return problem_page(request, "Answer with Accept or Decline.", 400, back=back)
    try:
        proposal = services.answer_proposal(proposal=proposal, artist=artist, accept=accept)
    except services.CreditError as refusal:
        return problem_page(request, str(refusal), 409, back=back)
    if not accept:
        messages.success(request, "Split declined. The split in effect stays.")
    elif proposal.status == proposal.Status.ACCEPTED:
        messages.success(request, "Split accepted. Everyone has: it applies from the next sale.")
    else:
        messages.success(request, "Split accepted. It takes effect once everyone has accepted.")
    return redirect(back)


def old_splits(request, kind: str, public_id: str):
    """The studio's former splits editor lives on the work's credits page now."""
    return redirect("credits:work", kind, public_id, permanent=True)
