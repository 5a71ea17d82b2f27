from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from backstage.problems import problem_page

from . import connect, webhooks
from .limits import limited
from .selectors import access_payouts
from .stripe_api import SANDBOX_MOUNT, call_wsgi, embedded_sandbox

SUSPENDED = (
    "Your artist profile is suspended, so you can’t set up payouts. "
    "If you think this is a mistake, write to the site’s team."
)


@csrf_exempt  # Stripe signs its POSTs instead (webhooks.verify_event)
@require_POST
def webhook(request):
    """Stripe's events: 400 for anything not genuinely from Stripe, 200 once recorded."""
    try:
        webhooks.receive_event(
            payload=request.body, signature=request.headers.get("Stripe-Signature")
        )
    except webhooks.WebhookRefused as refusal:
        return HttpResponse(str(refusal), status=400, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")


@login_required
def payouts(request, returned: bool = False):
    """Studio → Get paid: the artist's payout status, and the way to Stripe's onboarding."""
    artist, account = access_payouts(user=request.user)
    return render(
        request,
        "payments/payouts.html",
        {"artist": artist, "account": account, "returned": returned},
    )


@login_required
@require_POST
@limited("onboard", back="payments:payouts")
def payouts_onboard(request):
    """Send the artist to Stripe's hosted onboarding (making their account the first time)."""
    artist, _ = access_payouts(user=request.user)
    if artist.is_suspended:
        return _suspended(request)
    return redirect(_onboarding_url(request, artist))


@login_required
def payouts_refresh(request):
    """Stripe's refresh_url: the last link expired or was used; make a new one and go back."""
    artist, _ = access_payouts(user=request.user)
    if artist.is_suspended:
        return _suspended(request)
    messages.info(request, "That onboarding link had expired; here is a new one.")
    return redirect(_onboarding_url(request, artist))


def _suspended(request):
    """Suspended artists are not paid out, so they set up no payouts (403, with the reason)."""
    return problem_page(request, SUSPENDED, 403, back=reverse("payments:payouts"))


def _onboarding_url(request, artist) -> str:
    return connect.create_onboarding_link(
        artist=artist,
        refresh_url=request.build_absolute_uri(reverse("payments:payouts_refresh")),
        return_url=request.build_absolute_uri(reverse("payments:payouts_return")),
    )


@csrf_exempt  # the sandbox's own hosted forms: they stand for pages on stripe.com
def sandbox_page(request, path: str):
    """The embedded sandbox's hosted pages (onboarding, checkout), in sandbox mode only.

    Only its /sandbox/ pages are served over HTTP; its API is reached in-process.
    """
    segments = path.split("/")
    if not settings.PAYMENTS_SANDBOX or segments[0] != "sandbox" or ".." in segments:
        raise Http404("No such page.")
    headers = {"Content-Type": request.content_type or ""}
    query = request.META.get("QUERY_STRING", "")
    url = f"{request.scheme}://{request.get_host()}{SANDBOX_MOUNT}/{path}"
    status, response_headers, body = call_wsgi(
        embedded_sandbox(),
        method=request.method,
        url=f"{url}?{query}" if query else url,
        headers=headers,
        body=request.body,
    )
    response = HttpResponse(body, status=status)
    for name, value in response_headers:
        response[name] = value
    return response
