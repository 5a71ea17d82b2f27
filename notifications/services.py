"""Telling people what happened: an in-app notification, and an e-mail after commit if asked."""

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from backstage.models import User

from .models import Notification

MAX_TEXT = 300


def notify(*, user: User, kind: str, text: str, url: str = "", email: bool = False) -> Notification:
    """Record a notification for `user`; with email=True, also mail it once the caller's
    transaction commits (nothing is mailed for a write that rolls back).

    `url` must be a site path ("/collab/calls/12/"): the e-mail prefixes SITE_URL to it."""
    if url and not url.startswith("/"):
        raise ValueError("A notification links to a path on this site.")
    # One line of plain text: a title typed with a line break must not break the e-mail's
    # subject (a header may not hold a newline) nor the bell's list.
    text = " ".join(text.split())[:MAX_TEXT]
    notification = Notification.objects.create(user=user, kind=kind, text=text, url=url)
    if email and user.email:
        transaction.on_commit(lambda: _enqueue_email(notification.id))
    return notification


def mark_read(*, user: User, ids: list[int] | None = None) -> int:
    """Mark `user`'s unread notifications read (only `ids`, when given); returns how many."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(id__in=ids)
    return unread.update(read_at=timezone.now())


def unread_count(*, user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def _enqueue_email(notification_id: int) -> None:
    from .tasks import email_notification

    email_notification.delay(notification_id=notification_id)


def email_notification(*, notification_id: int) -> bool:
    """Mail one notification; False when there is nothing (left) to send."""
    from django.core.mail import send_mail

    notification = Notification.objects.select_related("user").filter(id=notification_id).first()
    if notification is None or not notification.user.email:
        return False
    link = f"\n\n{settings.SITE_URL}{notification.url}" if notification.url else ""
    send_mail(
        subject=f"{settings.SITE_NAME}: {notification.text[:80]}",
        message=f"{notification.text}{link}\n",
        from_email=None,
        recipient_list=[notification.user.email],
    )
    return True
