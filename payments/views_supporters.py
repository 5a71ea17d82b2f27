"""The supporter plan's public page, its Subscribe button, and the fan's plan and last month."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from . import supporters
from .checkout import CheckoutUnavailable
from .distribution import last_month
from .models import Subscription
from .selectors import supporter_shares


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


@never_cache
def page(request):
    return render(request, "payments/supporters.html", _context(request))


@login_required
@require_POST
def subscribe(request):
    try:
        plan = supporters.start_plan(fan=request.user)
    except CheckoutUnavailable:
        context = _context(request) | {
            "error": "Payments are unavailable right now; nothing was charged."
        }
        return render(request, "payments/supporters.html", context, status=503)
    if plan.status == Subscription.Status.ACTIVE:
        return HttpResponseRedirect(request.path.rsplit("subscribe", 1)[0])
    response = HttpResponseRedirect(plan.checkout_url)
    response.status_code = 303
    return response
