"""The radio's pieces on other apps' pages: the radio panel beside the player, timed comments
on a track page, and the buttons that start artist radio and track radio."""

from django import template

from radio import selectors, services
from radio.models import Reason, StationKind, TimedComment

register = template.Library()


def initials(name: str) -> str:
    words = [w for w in name.replace(".", " ").split() if w[:1].isalnum()]
    return "".join(w[0] for w in words[:2]).upper() or "?"


def comments_context(request, track) -> dict:
    """Everything the comments section shows, in one query (authors joined)."""
    user = request.user
    duration = track.duration or 0
    shown = list(selectors.visible_comments(track))
    for comment in shown:
        comment.track = track  # the artist is already loaded: no query per comment
        comment.can_delete = services.can_delete_comment(user=user, comment=comment)
        comment.initials = initials(comment.author.name)
        comment.left = min(100.0, 100.0 * comment.at_seconds / duration) if duration else None
    return {
        "track": track,
        "comments": shown,
        "can_comment": user.is_authenticated,
        "max_length": TimedComment.MAX_LENGTH,
        "request": request,
        "user": user,
    }


@register.inclusion_tag("radio/_comments.html", takes_context=True)
def timed_comments(context, track):
    return {**comments_context(context["request"], track), "csrf_token": context.get("csrf_token")}


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
