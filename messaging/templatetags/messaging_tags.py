from django import template

from messaging import selectors

register = template.Library()


@register.inclusion_tag("messaging/_profile_buttons.html", takes_context=True)
def message_buttons(context, artist):
    """ "Message" and "Block" on an artist's page, for signed-in artists other than its owner
    (one query for the block state, none for anyone else)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    show = bool(
        user
        and user.is_authenticated
        and artist.user_id != user.pk
        and hasattr(user, "artist")  # an artist (the header has loaded it already)
    )
    i_blocked = show and selectors.blocks_of(user=user, other=artist.user)[0]
    return {"show": show, "artist": artist, "i_blocked": i_blocked, "request": request}
