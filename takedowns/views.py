from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from analytics.tokens import ip_key
from backstage.problems import problem_page, too_many_page

from . import limits, selectors, services
from .forms import ClaimForm, CounterNoticeForm


def _claim_page(request, form, status=200):
    return render(
        request,
        "takedowns/claim_form.html",
        {"form": form, "agent_email": settings.COPYRIGHT_AGENT_EMAIL},
        status=status,
    )


@never_cache
def claim_form(request):
    if request.method != "POST":
        return _claim_page(request, ClaimForm(request_host=request.get_host()))
    form = ClaimForm(request.POST, request_host=request.get_host())
    if not form.is_valid():
        return _claim_page(request, form, status=400)
    data = dict(form.cleaned_data)
    earlier = selectors.claim_submitted(submission=data["submission"])
    if earlier is not None:  # a second click: the first one's claim, whatever the limits say
        return redirect("takedowns:received", reference=earlier.reference)
    try:
        taken = limits.take_for_claim(ip_key=ip_key(request), email=data["email"])
    except limits.TooMany as refusal:
        return too_many_page(request, refusal, back=request.path)
    for statement in ("good_faith", "accurate_under_penalty"):
        del data[statement]
    claim, created = services.submit_claim(
        submission=data.pop("submission"),
        works=data.pop("urls"),
        submitted_by=request.user if request.user.is_authenticated else None,
        **data,
    )
    if not created:
        limits.give_back(taken)  # two clicks raced: only the claim saved counts
    return redirect("takedowns:received", reference=claim.reference)


def claim_received(request, reference):
    claim = selectors.received_claim(reference=reference)
    return render(
        request,
        "takedowns/claim_received.html",
        {"claim": claim, "work_count": claim.works.count()},
    )


@login_required
@never_cache
def counter_notice(request, reference):
    claim = selectors.access_claim_for_uploader(user=request.user, reference=reference)
    context = selectors.counter_notice_state(claim=claim, user=request.user)
    if context["filed"] is not None or not context["down"]:
        status = 409 if request.method == "POST" else 200
        return render(request, "takedowns/counter_closed.html", context, status=status)
    form = CounterNoticeForm(request.POST if request.method == "POST" else None)
    if request.method != "POST" or not form.is_valid():
        status = 400 if form.is_bound else 200
        return render(
            request, "takedowns/counter_form.html", {**context, "form": form}, status=status
        )
    data = form.cleaned_data
    try:
        services.file_counter_notice(
            claim=claim,
            user=request.user,
            statement=data["statement"],
            postal_address=data["postal_address"],
            signature=data["signature"],
        )
    except IntegrityError:  # a double submit raced past the check above: one notice was saved
        pass
    except services.NotNow as refusal:
        return problem_page(request, refusal.message, 409, back=request.path)
    return redirect("takedowns:counter", reference=claim.reference)
