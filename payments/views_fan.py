"""Fans buy and tip; artists price their music; buyers download what they bought."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from artists.selectors import access_artist, artist_of
from tracks.selectors import access_release, access_track

from . import checkout, downloads
from .forms import PayForm, PriceForm, TipForm, new_form_token, plain_amount
from .limits import limited
from .money import Money


def _render(request, template: str, context: dict, status: int = 200):
    """Render with the platform's cut, which the pay and price pages state."""
    cut = f"{settings.PLATFORM_CUT_BASIS_POINTS / 100:g}"
    return render(request, template, {"cut_percent": cut, **context}, status=status)


def _start(request, form, *, template, context, **kwargs):
    """Start the checkout a valid form asks for and send the fan to Stripe's page."""
    if form.is_valid():
        try:
            payment = checkout.start_checkout(
                fan=request.user,
                amount=form.cleaned_data["amount"],
                form_token=form.cleaned_data["token"],
                message=form.cleaned_data.get("message", ""),
                **kwargs,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        except checkout.CheckoutUnavailable:
            form.add_error(None, "Payments are unavailable right now; nothing was charged.")
            return _render(request, template, {**context, "form": form}, status=503)
        else:
            if payment.status == payment.Status.PAID:  # the form of a finished payment, again
                return redirect("checkout:thanks", payment_id=payment.id)
            response = HttpResponseRedirect(payment.checkout_url)
            response.status_code = 303  # after a POST: the browser GETs Stripe's page
            return response
    return _render(request, template, {**context, "form": form}, status=422)


@login_required
@never_cache
@limited("buy")
def buy(request, kind, public_id):
    item, tag = checkout.access_for_sale(user=request.user, kind=kind, public_id=public_id)
    context = {"item": item, "tag": tag, "kind": kind}
    if request.method != "POST":
        form = PayForm(
            initial={"amount": plain_amount(tag.price, tag.currency), "token": new_form_token()},
            lowest=tag.lowest,
        )
        return _render(request, "payments/buy.html", {**context, "form": form})
    form = PayForm(request.POST, lowest=tag.lowest)
    return _start(
        request,
        form,
        template="payments/buy.html",
        context=context,
        artist=item.artist,
        kind="sale",
        item=item,
    )


@login_required
@never_cache
@limited("tip")
def tip(request, slug):
    artist = access_artist(user=request.user, slug=slug)
    if artist.user_id == request.user.id or artist.is_suspended:
        raise Http404("No tips here.")
    context = {"artist": artist}
    if request.method != "POST":
        form = TipForm(initial={"token": new_form_token()})
        return _render(request, "payments/tip.html", {**context, "form": form})
    form = TipForm(request.POST)
    return _start(
        request, form, template="payments/tip.html", context=context, artist=artist, kind="tip"
    )


@login_required
@never_cache
@require_GET
def thanks(request, payment_id):
    payment = checkout.access_payment(fan=request.user, payment_id=payment_id)
    return _render(request, "payments/thanks.html", {"payment": payment})


@login_required
@never_cache
@require_GET
def purchases(request):
    return _render(
        request,
        "payments/purchases.html",
        {"purchases": list(downloads.purchases_of(fan=request.user))},
    )


@login_required
@never_cache
@require_GET
def download(request, public_id):
    """Check ownership now, then hand out a short-lived signed link to the file in the format
    asked for (?format=original, the default, or mp3)."""
    fmt = request.GET.get("format", downloads.ORIGINAL)
    track = downloads.access_download(fan=request.user, public_id=public_id, fmt=fmt)
    return redirect(downloads.download_url(fan=request.user, track=track, fmt=fmt))


@login_required
@require_GET
def download_file(request, token):
    track, fmt = downloads.file_for_token(token, fan=request.user)
    return downloads.serve_file(track, fmt)


@login_required
def price(request, kind, public_id):
    """An artist prices one of their tracks or releases."""
    if artist_of(user=request.user) is None:
        raise Http404("Create your artist profile first.")
    access = {"track": access_track, "release": access_release}.get(kind)
    if access is None:
        raise Http404("Nothing to price here.")
    item = access(user=request.user, public_id=public_id, write=True)
    tag = checkout.price_tag_of(item)
    if request.method != "POST":
        initial = {
            name: plain_amount(value, tag.currency)
            for name, value in (("price", tag and tag.price), ("minimum", tag and tag.minimum))
            if value is not None
        }
        form = PriceForm(initial=initial)
        return _render(request, "payments/price.html", {"item": item, "form": form, "kind": kind})
    form = PriceForm(request.POST)
    if form.is_valid():
        checkout.set_price(
            item=item, price=form.cleaned_data["price"], minimum=form.cleaned_data["minimum"]
        )
        if form.cleaned_data["price"] is None:
            messages.success(request, f"“{item.title}” is not for sale.")
        else:
            amount = Money(form.cleaned_data["price"], settings.PAYMENTS_CURRENCY)
            messages.success(request, f"“{item.title}” is on sale for {amount}.")
        return redirect(item)
    return _render(
        request, "payments/price.html", {"item": item, "form": form, "kind": kind}, status=422
    )
