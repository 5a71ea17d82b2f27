"""Reads of moderation: which thing a person may report (only what they can see), the keys
report links use, and where staff find a reported thing."""

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.http import Http404
from django.urls import NoReverseMatch, reverse

from artists.selectors import access_artist
from backstage.models import User
from messaging.models import Message
from playlists.selectors import access_playlist
from radio.models import TimedComment
from tracks.selectors import access_release, access_track, can_see_track

from .models import Report
from .targets import KINDS, TargetKind, kind_of


def _signed_in(user: User | None) -> User | None:
    return user if user is not None and user.is_authenticated else None


def _comment(user: User | None, key: str) -> TimedComment:
    comment = (
        TimedComment.objects.select_related("track__artist", "track__release", "author")
        .filter(pk=int(key), hidden_at__isnull=True)
        .first()
    )
    if comment is None or not can_see_track(user=user, track=comment.track):
        raise Http404("No such comment.")
    return comment


def _message(user: User | None, key: str) -> Message:
    """A message the other participant sent `user`: people report what they received."""
    if user is None:
        raise Http404("No such message.")
    message = (
        Message.objects.select_related("conversation", "sender")
        .filter(pk=int(key), hidden_at__isnull=True)
        .filter(Q(conversation__user_low=user) | Q(conversation__user_high=user))
        .exclude(sender=user)
        .first()
    )
    if message is None:
        raise Http404("No such message.")
    return message


_ACCESS = {
    "track": lambda user, key: access_track(user=user, public_id=key),
    "release": lambda user, key: access_release(user=user, public_id=key),
    "artist": lambda user, key: access_artist(user=user, slug=key),
    "playlist": lambda user, key: access_playlist(user=user, public_id=key),
    "comment": _comment,
    "message": _message,
}
_NUMERIC_KEYS = {"comment", "message"}


def access_target(*, user: User | None, kind: str, key: str) -> tuple[TargetKind, models.Model]:
    """The thing `user` may report: one they can see through the apps' own rules. Http404 for
    unknown kinds, missing or hidden things, and things only others may see."""
    if kind not in KINDS or (kind in _NUMERIC_KEYS and not (key.isdigit() and len(key) <= 18)):
        raise Http404("Nothing to report here.")
    return KINDS[kind], _ACCESS[kind](_signed_in(user), key)


def report_key(obj: models.Model) -> str:
    """The `<key>` of /report/<kind>/<key>/: what the thing's own public URL uses."""
    kind = kind_of(obj).slug
    if kind == "artist":
        return obj.slug
    if kind in _NUMERIC_KEYS:
        return str(obj.pk)
    return obj.public_id


def report_url(obj: models.Model) -> str:
    return reverse("moderation:report", args=[kind_of(obj).slug, report_key(obj)])


def public_url(obj: models.Model) -> str:
    """Where people see the thing: a comment on its track's page, a message in its
    conversation (staff see it in the reported-conversations admin instead)."""
    if isinstance(obj, TimedComment):
        return f"{obj.track.get_absolute_url()}#comment-{obj.pk}"
    if isinstance(obj, Message):
        return reverse("admin:messaging_conversation_change", args=[obj.conversation_id])
    return obj.get_absolute_url()


def admin_url(obj: models.Model) -> str:
    meta = obj._meta
    try:
        return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])
    except NoReverseMatch:  # messages have no admin page of their own
        return ""


def targets_of(reports) -> dict[tuple[int, int], models.Model]:
    """The things `reports` are about, fetched with one query per kind (not per report)."""
    wanted: dict[int, set[int]] = {}
    for report in reports:
        if report.target_type_id is None:
            continue
        wanted.setdefault(report.target_type_id, set()).add(report.target_id)
    found = {}
    for type_id, ids in wanted.items():
        model = ContentType.objects.get_for_id(type_id).model_class()
        queryset = model._default_manager.filter(pk__in=ids)
        if model is TimedComment:
            queryset = queryset.select_related("track")
        for obj in queryset:
            found[(type_id, obj.pk)] = obj
    return found


def open_reports_on(*, target: models.Model):
    return Report.objects.filter(
        target_type=ContentType.objects.get_for_model(kind_of(target).model),
        target_id=target.pk,
        status=Report.Status.OPEN,
    )


def target_of(report: Report) -> models.Model | None:
    """The reported thing, or None if it has been deleted since."""
    model = ContentType.objects.get_for_id(report.target_type_id).model_class()
    return model._default_manager.filter(pk=report.target_id).first()
