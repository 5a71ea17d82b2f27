"""Reads of messages: who may see which conversation, the inbox, unread counts, blocks."""

from django.apps import apps
from django.db.models import (
    BooleanField,
    Case,
    OuterRef,
    Q,
    Subquery,
    Sum,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404

from artists.models import Artist
from artists.selectors import access_artist
from backstage.models import User

from .models import Block, Conversation, Message, Participant

INBOX_PAGE = 50
THREAD_PAGE = 200
PREVIEW = 120
REMOVED = "Removed by a moderator."

# Shown as "Removed" to both people in the conversation: hidden by a moderator, or sent by
# someone now suspended (back as it was when the suspension is lifted: nothing is deleted).
_REMOVED = Q(hidden_at__isnull=False) | Q(sender__suspended_at__isnull=False)


def blocked_between(*, user_a: User, user_b: User) -> bool:
    """True if either has blocked the other (blocks hold in every direction)."""
    return Block.objects.filter(
        Q(blocker=user_a, blocked=user_b) | Q(blocker=user_b, blocked=user_a)
    ).exists()


def blocks_of(*, user: User, other: User) -> tuple[bool, bool]:
    """(user blocked other, other blocked user), in one query."""
    pairs = set(
        Block.objects.filter(
            Q(blocker=user, blocked=other) | Q(blocker=other, blocked=user)
        ).values_list("blocker_id", flat=True)
    )
    return user.pk in pairs, other.pk in pairs


def messaging_artist(*, user: User | None) -> Artist | None:
    """The artist profile `user` writes messages as: only artists message each other."""
    if user is None or not user.is_authenticated:
        return None
    try:
        return user.artist  # cached on the user: the header asks for it too
    except Artist.DoesNotExist:
        return None


def access_recipient(*, user: User, slug: str) -> Artist:
    """The artist `user` may start a conversation with; Http404 for unknown or suspended
    profiles and for one's own."""
    artist = access_artist(user=None, slug=slug)
    if artist.user_id == user.pk:
        raise Http404("You cannot message yourself.")
    return artist


def _with_artists(queryset):
    return queryset.select_related("user_low__artist", "user_high__artist")


def access_conversation(*, user: User, conversation_id: int) -> Conversation:
    """A conversation `user` takes part in; Http404 for everyone else, so others cannot tell
    it apart from a missing one."""
    conversation = (
        _with_artists(Conversation.objects.filter(id=conversation_id))
        .filter(Q(user_low=user) | Q(user_high=user))
        .first()
    )
    if conversation is None:
        raise Http404("No such conversation.")
    return conversation


def conversation_between(*, user_a: User, user_b: User) -> Conversation | None:
    low, high = sorted((user_a.pk, user_b.pk))
    return Conversation.objects.filter(user_low_id=low, user_high_id=high).first()


def thread(*, conversation: Conversation, after: int = 0) -> list[Message]:
    """The newest THREAD_PAGE messages (or those after message id `after`), oldest first."""
    messages = (
        Message.objects.filter(conversation=conversation, id__gt=after)
        .annotate(
            removed=Case(When(_REMOVED, then=True), default=False, output_field=BooleanField())
        )
        .order_by("-id")
    )
    return list(reversed(messages[:THREAD_PAGE]))


def inbox(*, user: User) -> list[Conversation]:
    """`user`'s conversations, newest activity first, each with `other` (the other person, with
    their artist profile), `preview`, `last_sender_id` and `unread` — in one query."""
    mine = Participant.objects.filter(conversation=OuterRef("pk"), user=user)
    last = Message.objects.filter(conversation=OuterRef("pk")).order_by("-id")
    conversations = list(
        _with_artists(Conversation.objects.filter(Q(user_low=user) | Q(user_high=user)))
        .filter(last_message_at__isnull=False)
        .annotate(
            unread=Coalesce(Subquery(mine.values("unread")[:1]), Value(0)),
            preview=Subquery(
                last.annotate(
                    shown=Case(
                        When(_REMOVED, then=Value(REMOVED)),
                        default="body",
                        output_field=TextField(),
                    )
                ).values("shown")[:1]
            ),
            last_sender_id=Subquery(last.values("sender_id")[:1]),
        )
        .order_by("-last_message_at", "-id")[:INBOX_PAGE]
    )
    for conversation in conversations:
        conversation.other_user = conversation.other(user)
    return conversations


def unread_total(*, user: User) -> int:
    """Messages sent to `user` that they have not seen yet, over all their conversations: one
    query, a sum over their seats (the (user, conversation) index), however long the chats."""
    total = Participant.objects.filter(user=user, unread__gt=0).aggregate(n=Sum("unread"))["n"]
    return total or 0


def call_title(*, user: User, call_id: str | None) -> str:
    """The title of the collaboration call a conversation is about, if the board (collab app)
    exists and `user` may see that call; "" otherwise, so the page simply leaves it out."""
    call_id = str(call_id or "")
    if not call_id.isdigit() or len(call_id) > 18 or not apps.is_installed("collab"):
        return ""
    try:
        from collab.selectors import access_call  # the board is optional: it may not exist
    except ImportError:
        return ""
    try:
        return access_call(user=user, call_id=int(call_id)).title
    except Http404:
        return ""


def latest_from_other(*, conversation: Conversation, user: User) -> Message | None:
    """The newest message the other participant sent `user` that is still shown: what "report
    this conversation" reports."""
    return (
        Message.objects.filter(conversation=conversation, hidden_at__isnull=True)
        .exclude(sender=user)
        .order_by("-id")
        .first()
    )
