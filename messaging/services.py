"""Writes of messages: sending (rate-limited, idempotent, refused across a block), reading and
blocking. Reporting goes through moderation (moderation/services.py)."""

import datetime
import uuid

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from artists.models import Artist
from backstage.models import User
from backstage.rows import toggle_row
from backstage.suspension import ensure_not_suspended
from notifications.models import Notification
from notifications.services import mark_read, notify

from . import limits, selectors
from .models import MAX_BODY, Block, Conversation, Message, Participant

EMAIL_EVERY = datetime.timedelta(hours=1)
NOTIFICATION_KIND = "message"


class Refused(Exception):
    """The message cannot be sent; the text says so without saying more than needed."""


def clean_body(body: str) -> str:
    """The message as stored: trimmed; ValidationError if empty or too long."""
    body = (body or "").strip()
    if not body:
        raise ValidationError("Write a message first: it is empty.")
    if len(body) > MAX_BODY:
        raise ValidationError(
            f"That message is {len(body):,} characters long; the most is {MAX_BODY:,}. "
            "Shorten it or send it in parts."
        )
    return body


def send_message(
    *, sender: User, recipient: User, body: str, token: uuid.UUID, about: str = ""
) -> tuple[Message, bool]:
    """Send `body` from `sender` to `recipient`, in their one conversation (made on the first
    message). Returns (message, created): a second post with the same form `token` (a double
    click, a resubmitted form) returns the first message and posts nothing.

    The caller has checked both are artists. Refused across a block (either way), to oneself,
    from or to a suspended artist; ValidationError for an empty or too long body;
    limits.TooMany over a rate limit (the place taken is given back when nothing is written)."""
    ensure_not_suspended(sender)
    body = clean_body(body)
    if sender.pk == recipient.pk:
        raise Refused("You cannot send a message to yourself.")
    existing = Message.objects.filter(sender=sender, token=token).first()
    if existing is not None:
        return existing, False
    if selectors.blocked_between(user_a=sender, user_b=recipient):
        raise Refused("You can’t send messages to this artist.")
    suspended = set(
        Artist.objects.filter(user__in=[sender, recipient], is_suspended=True).values_list(
            "user_id", flat=True
        )
    )
    if sender.pk in suspended:
        raise Refused("Your artist profile is suspended, so you can’t send messages.")
    if recipient.pk in suspended:
        raise Refused("You can’t send messages to this artist.")
    taken = limits.take_for_sender("send", user_id=sender.pk)
    try:
        if selectors.conversation_between(user_a=sender, user_b=recipient) is None:
            taken += limits.take_for_sender("start", user_id=sender.pk)
        message = _write(sender=sender, recipient=recipient, body=body, token=token, about=about)
    except Exception:
        limits.give_back(taken)
        raise
    if message is None:  # the twin of this post won the race: it is the message
        limits.give_back(taken)
        return Message.objects.get(sender=sender, token=token), False
    return message, True


@transaction.atomic
def _write(
    *, sender: User, recipient: User, body: str, token: uuid.UUID, about: str
) -> Message | None:
    conversation = _conversation_for(sender, recipient)
    try:
        with transaction.atomic():
            message = Message.objects.create(
                conversation=conversation, sender=sender, body=body, about=about[:200], token=token
            )
    except IntegrityError:  # the same token, posted twice at once
        return None
    Conversation.objects.filter(pk=conversation.pk).update(last_message_at=message.created_at)
    # Both seats locked, always in user id order (two people writing to each other at the same
    # moment would otherwise deadlock): the recipient's unread count must not lose an
    # increment to a concurrent send or read, and two messages sent at the same moment must
    # not both find the last e-mail an hour old (at most one e-mail per conversation and hour).
    seats = {
        seat.user_id: seat
        for seat in Participant.objects.select_for_update()
        .filter(conversation=conversation)
        .order_by("user_id")
    }
    mine, theirs = seats[sender.pk], seats[recipient.pk]
    mine.read_up_to, mine.unread = max(mine.read_up_to, message.pk), 0  # a reply reads
    mine.save(update_fields=["read_up_to", "unread"])
    theirs.unread += 1
    now = timezone.now()
    email = theirs.emailed_at is None or now - theirs.emailed_at >= EMAIL_EVERY
    if email:
        theirs.emailed_at = now
    theirs.save(update_fields=["unread", "emailed_at"])
    url = conversation.get_absolute_url()
    already = Notification.objects.filter(
        user=recipient, kind=NOTIFICATION_KIND, url=url, read_at__isnull=True
    ).exists()
    if email or not already:
        # The text never quotes the message: the notifications admin must not show messages
        # of conversations nobody reported.
        name = getattr(getattr(sender, "artist", None), "name", "") or sender.username
        notify(
            user=recipient,
            kind=NOTIFICATION_KIND,
            text=f"{name} sent you a message.",
            url=url,
            email=email,
        )
    return message


def _conversation_for(sender: User, recipient: User) -> Conversation:
    """The pair's conversation, made (with both seats) if it does not exist yet; two first
    messages racing each other end up in the same one."""
    low, high = sorted((sender.pk, recipient.pk))
    try:
        with transaction.atomic():
            conversation, created = Conversation.objects.get_or_create(
                user_low_id=low, user_high_id=high
            )
            if created:
                Participant.objects.bulk_create(
                    [
                        Participant(conversation=conversation, user_id=low),
                        Participant(conversation=conversation, user_id=high),
                    ]
                )
    except IntegrityError:  # made by the racing twin meanwhile
        conversation = Conversation.objects.get(user_low_id=low, user_high_id=high)
    return conversation


@transaction.atomic
def mark_conversation_read(*, user: User, conversation: Conversation, up_to: int) -> None:
    """`user` has seen the messages up to id `up_to` (never moves backwards); what is left
    unread is recounted under the seat's lock (a message arriving meanwhile stays unread), and
    the bell's notifications about this conversation are read too."""
    if not up_to:
        return
    seat = Participant.objects.select_for_update().get(conversation=conversation, user=user)
    seat.read_up_to = max(seat.read_up_to, up_to)
    seat.unread = (
        Message.objects.filter(conversation=conversation, id__gt=seat.read_up_to)
        .exclude(sender=user)
        .count()
    )
    seat.save(update_fields=["read_up_to", "unread"])
    ids = Notification.objects.filter(
        user=user,
        kind=NOTIFICATION_KIND,
        url=conversation.get_absolute_url(),
        read_at__isnull=True,
    ).values_list("id", flat=True)
    mark_read(user=user, ids=list(ids))


def set_block(*, blocker: User, blocked: User, on: bool) -> bool:
    """Block (on=True) or unblock `blocked`; repeating changes nothing. History stays."""
    if blocker.pk == blocked.pk:
        raise Refused("You cannot block yourself.")
    return toggle_row(Block, on=on, blocker=blocker, blocked=blocked)
