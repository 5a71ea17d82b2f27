"""The radio's pieces on other apps' pages: the radio panel beside the player, timed comments
on a track page, and the buttons that start artist radio and track radio."""

from django import template

from radio.comments import comments_on_page
from radio.models import Reason, StationKind

register = template.Library()


@register.inclusion_tag("radio/_comments.html", takes_context=True)
def timed_comments(context, track):
    shown = comments_on_page(request=context["request"], track=track)
    return {**shown, "csrf_token": context.get("csrf_token")}


@register.inclusion_tag("radio/_panel.html")
def radio_panel():
    return {"reasons": Reason.choices}


@register.inclusion_tag("radio/_start_button.html")
def radio_button(kind: str, subject):
    """A start button for pages cached for anonymous visitors: a GET form (no CSRF token in
    the page); radio.js turns it into a POST and starts the station in the player."""
    if kind == StationKind.ARTIST:
        return {
            "kind": kind,
            "field": "artist",
            "value": subject.slug,
            "label": "Artist radio",
            "subject": f"for {subject.name}",
        }
    return {
        "kind": kind,
        "field": "track",
        "value": subject.public_id,
        "label": "Start radio",
        "subject": f"from {subject.title}",
    }
