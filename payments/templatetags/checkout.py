"""{% buy_button track %} / {% buy_button release %} and {% tip_button artist %}."""

from django import template
from django.conf import settings

from tracks.models import Track

from .. import downloads
from ..checkout import price_tag_of
from ..forms import PayForm, new_form_token, plain_amount

register = template.Library()


@register.inclusion_tag("payments/_buy_button.html", takes_context=True)
def buy_button(context, item):
    """The price and a name-your-price Buy form (one query); nothing when not for sale."""
    user = context["request"].user
    tag = price_tag_of(item)
    kind = "track" if isinstance(item, Track) else "release"
    is_owner = user.is_authenticated and item.artist.user_id == user.id
    bought = []  # the tracks a buyer may download, offered here in each format
    if user.is_authenticated and not is_owner:
        if kind == "track" and downloads.owns_track(fan=user, track=item):
            bought = [item]
        elif kind == "release" and downloads.owns_release(fan=user, release_id=item.id):
            bought = list(item.tracks.filter(taken_down_at=None).prefetch_related("renditions"))
    form = None
    if tag and tag.for_sale and user.is_authenticated and not is_owner and not bought:
        form = PayForm(
            initial={"amount": plain_amount(tag.price, tag.currency), "token": new_form_token()},
            lowest=tag.lowest,
            auto_id=f"buy-{kind}-{item.public_id}-%s",
        )
    return {
        "item": item,
        "kind": kind,
        "tag": tag,
        "form": form,
        "is_owner": is_owner,
        "bought": bought,
        "user": user,
        "request": context["request"],
        "csrf_token": context.get("csrf_token"),
        "PAYMENTS_SANDBOX": settings.PAYMENTS_SANDBOX,
    }


@register.filter
def download_choices(track) -> list[downloads.Choice]:
    """{% for choice in track|download_choices %}: its formats (original, MP3)."""
    return downloads.choices(track)


@register.inclusion_tag("payments/_tip_button.html", takes_context=True)
def tip_button(context, artist):
    user = context["request"].user
    return {
        "artist": artist,
        "user": user,
        "request": context["request"],
        "show": not (user.is_authenticated and artist.user_id == user.id),
    }
