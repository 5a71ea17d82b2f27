"""The supporter plan's public page, its Subscribe and Cancel buttons, and the fan's plan and
last month."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from . import supporters
from .checkout import CheckoutUnavailable
from .distribution import last_month
from .limits import limited
from .models import Subscription
from .selectors import supporter_shares

UNAVAILABLE = "Payments are unavailable right now; nothing was charged."


def _context(request) -> dict:
    context = {
        "price": settings.SUPPORTER_PRICE,
        "currency": settings.PAYMENTS_CURRENCY,
        "cut_percent": f"{settings.SUPPORTER_CUT_BASIS_POINTS / 100:g}",
        "cap": settings.SUPPORTER_PLAY_CAP,
    }
    if request.user.is_authenticated:
        month = last_month()
        context |= {
            "plan": supporters.plan_of(request.user),
            "last_month": month,
            "shares": supporter_shares(fan=request.user, month=month),
        }
    return context


def _unavailable(request):
    context = _context(request) | {"error": UNAVAILABLE}
    return render(request, "payments/supporters.html", context, status=503)


@never_cache
def page(request):
    return render(request, "payments/supporters.html", _context(request))


@login_required
@require_POST
@limited("subscribe", back="supporters:page")
def subscribe(request):
    try:
        plan = supporters.start_plan(fan=request.user)
    except CheckoutUnavailable:
        return _unavailable(request)
    if plan.status == Subscription.Status.ACTIVE:
        return redirect("supporters:page")
    if not plan.checkout_url:  # paid on Stripe, not confirmed here yet
        messages.info(request, "Your payment went through; your plan starts in a moment.")
        return redirect("supporters:page")
    response = HttpResponseRedirect(plan.checkout_url)
    response.status_code = 303
    return response


@login_required
@require_POST
@limited("subscribe", back="supporters:page")
def cancel(request):
    try:
        plan = supporters.cancel_plan(fan=request.user)
    except CheckoutUnavailable:
        return _unavailable(request)
    if plan is not None and plan.ends_at:
        ends = date_format(timezone.localtime(plan.ends_at), "j F Y")
        messages.success(
            request, f"Your plan is cancelled: nothing more is charged, and it ends on {ends}."
        )
    return redirect("supporters:page")
