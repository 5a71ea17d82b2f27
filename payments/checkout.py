"""Fans pay: prices on tracks and releases, and starting a Stripe Checkout for a purchase or a tip.

A Payment row is written first (pending, our id); the Checkout Session is created after, outside
any database transaction, with an idempotency key derived from that row, so a retried or
double-submitted form gets the same session back. payments/booking.py marks it paid.
"""

import stripe
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.urls import reverse

from artists.models import Artist
from backstage.models import User
from backstage.pagecache import forget_cached_pages
from backstage.suspension import ensure_not_suspended
from tracks.models import Release, Track, Visibility
from tracks.selectors import access_release, access_track

from .models import Payment, PriceTag
from .money import Money, parse_money
from .stripe_api import stripe_client

# Stripe's smallest charge in euros; anything less costs more in fees than it brings.
MIN_CHARGE = 50
TIP_MESSAGE_MAX = 280


class CheckoutUnavailable(Exception):
    """Stripe could not be reached or refused the session; nothing was charged."""


def read_amount(text: str, *, currency: str, lowest: int | None = None, field: str = "") -> Money:
    """What a person typed as an amount they pay, at least `lowest` (and Stripe's minimum)."""
    amount = parse_money(text, currency)
    floor = max(lowest or 0, MIN_CHARGE)
    if amount.amount < floor:
        raise ValidationError(
            f"Enter at least {Money(floor, currency)}.", code="too_small", params={"field": field}
        )
    return amount


# --- Prices -------------------------------------------------------------------------------------


def price_tag_of(item: Track | Release) -> PriceTag | None:
    field = "track" if isinstance(item, Track) else "release"
    return PriceTag.objects.filter(**{field: item}).first()


def check_price(*, price: int | None, minimum: int | None) -> None:
    """ValidationError (naming the field) unless `price` and `minimum` make sense together."""
    floor = Money(MIN_CHARGE, settings.PAYMENTS_CURRENCY)
    if price is not None and price < MIN_CHARGE:
        raise ValidationError({"price": f"A price is at least {floor}."})
    if minimum is not None and price is None:
        raise ValidationError({"minimum": "Set a price first."})
    if minimum is not None and not MIN_CHARGE <= minimum <= price:
        raise ValidationError({"minimum": f"Enter between {floor} and the price."})


def set_price(*, item: Track | Release, price: int | None, minimum: int | None) -> PriceTag:
    """Put `item` on sale at `price` (name-your-price from `minimum`), or off sale (None).
    The caller has checked that the artist owns it."""
    check_price(price=price, minimum=minimum)
    field = "track" if isinstance(item, Track) else "release"
    tag, _ = PriceTag.objects.update_or_create(
        **{field: item},
        defaults={"price": price, "minimum": minimum, "currency": settings.PAYMENTS_CURRENCY},
    )
    forget_cached_pages()  # anonymous visitors' cached pages show the old price
    return tag


# --- What may be bought -------------------------------------------------------------------------


def access_for_sale(*, user: User, kind: str, public_id: str) -> tuple[Track | Release, PriceTag]:
    """A track or release `user` may buy, with its price; Http404 for anything else (unknown,
    private, taken down, not ready, not for sale, or the buyer's own music)."""
    if kind == "track":
        item = access_track(user=user, public_id=public_id)
        buyable = item.is_playable
    elif kind == "release":
        item = access_release(user=user, public_id=public_id)
        buyable = not item.is_taken_down
    else:
        raise Http404("Nothing to buy here.")
    tag = price_tag_of(item)
    if (
        not buyable
        or item.visibility == Visibility.PRIVATE
        or item.artist.is_suspended
        or item.artist.user_id == user.id
        or tag is None
        or not tag.for_sale
    ):
        raise Http404("This is not for sale.")
    return item, tag


def access_payment(*, fan: User, payment_id: int) -> Payment:
    """One of `fan`'s own payments; Http404 for anyone else's."""
    payment = (
        Payment.objects.select_related("artist", "track", "release")
        .filter(id=payment_id, fan=fan)
        .first()
    )
    if payment is None:
        raise Http404("No such payment.")
    return payment


# --- Starting a checkout ------------------------------------------------------------------------


def _item_fields(item: Track | Release | None) -> dict:
    if isinstance(item, Track):
        return {"track": item}
    if isinstance(item, Release):
        return {"release": item}
    return {}


def start_checkout(
    *,
    fan: User,
    artist: Artist,
    kind: Payment.Kind,
    amount: Money,
    form_token: str,
    item: Track | Release | None = None,
    message: str = "",
) -> Payment:
    """The Payment for this form (made now, or by an earlier submission of the same form) with
    its Checkout Session. Raises ValidationError if the form was used for something else,
    CheckoutUnavailable if Stripe fails (the Payment stays pending; submitting again retries
    with the same idempotency key)."""
    ensure_not_suspended(fan)
    fields = {"kind": kind, "artist": artist, **_item_fields(item)}
    try:
        # A savepoint: a double click races two requests here; the unique (fan, form_token)
        # constraint lets one row in and the other request reads it.
        with transaction.atomic():
            payment, _ = Payment.objects.get_or_create(
                fan=fan,
                form_token=form_token,
                defaults={
                    **fields,
                    "amount": amount.amount,
                    "currency": amount.currency,
                    "message": message[:TIP_MESSAGE_MAX],
                },
            )
    except IntegrityError:
        payment = Payment.objects.get(fan=fan, form_token=form_token)
    track, release = fields.get("track"), fields.get("release")
    if (payment.kind, payment.artist_id, payment.track_id, payment.release_id) != (
        kind,
        artist.id,
        track and track.id,
        release and release.id,
    ):
        raise ValidationError("This form was already used. Reload the page and try again.")
    if not payment.checkout_url:
        session = _create_session(payment=payment, fan=fan, item=item)
        Payment.objects.filter(id=payment.id).update(
            checkout_session_id=session.id, checkout_url=session.url
        )
        payment.checkout_session_id, payment.checkout_url = session.id, session.url
    return payment


def _create_session(*, payment: Payment, fan: User, item: Track | Release | None):
    if item is None:
        name = f"Tip for {payment.artist.name}"
        cancel = payment.artist.get_absolute_url()
    else:
        name = f"{item.title} by {payment.artist.name}"
        cancel = item.get_absolute_url()
    thanks = reverse("checkout:thanks", kwargs={"payment_id": payment.id})
    metadata = {"backstage_payment": str(payment.id), "kind": payment.kind}
    params = {
        "mode": "payment",
        "line_items": [
            {
                "price_data": {
                    "currency": payment.currency,
                    "unit_amount": payment.amount,
                    "product_data": {"name": name[:250]},
                },
                "quantity": 1,
            }
        ],
        "success_url": f"{settings.SITE_URL}{thanks}?session={{CHECKOUT_SESSION_ID}}",
        "cancel_url": settings.SITE_URL + cancel,
        "client_reference_id": str(payment.id),
        "metadata": metadata,
        "payment_intent_data": {"metadata": metadata, "description": name[:250]},
    }
    return create_checkout_session(params, fan=fan, idempotency_key=payment.idempotency_key)


def create_checkout_session(params: dict, *, fan: User, idempotency_key: str):
    """A Checkout Session for `fan` under our own row's idempotency key (a retry after a lost
    answer gets the same session back); CheckoutUnavailable if Stripe cannot be reached."""
    if fan.email:
        params = {**params, "customer_email": fan.email}
    try:
        return stripe_client().v1.checkout.sessions.create(
            params=params, options={"idempotency_key": idempotency_key}
        )
    except stripe.StripeError as exc:
        raise CheckoutUnavailable(str(exc)) from exc
