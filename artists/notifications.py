"""New music, e-mailed to the artist's followers: once per release or single, with a one-click
unsubscribe (RFC 8058).

"New music" is a release (or a single, a track without a release) becoming listed: the moment its
first track is playable, public and by an artist in good standing, on a public release that is
not taken down. The audio pipeline and the catalogue call `announce_new_music` /
`announce_release` whenever that may have happened; they record an Announcement the first time
only, and the sending happens in a Celery task after commit.
"""

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives, mailers
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from backstage.models import User
from tracks.models import Release, Track
from tracks.selectors import listed_releases, listed_tracks

from .models import Announcement, Follow

CHUNK = 200
UNSUBSCRIBE_SALT = "backstage.unsubscribe.new-releases"
UNSUBSCRIBE_MAX_AGE = 365 * 24 * 3600  # links in year-old e-mails still work


# --- Deciding what to announce -----------------------------------------------------------------


def announce_new_music(*, track: Track) -> Announcement | None:
    """Record (once) the announcement `track` may have just caused, if it is now listed.

    Call inside the transaction that made it so: the e-mails go out after commit.
    """
    if not listed_tracks().filter(pk=track.pk).exists():
        return None
    if track.release_id is None:
        return _record(artist_id=track.artist_id, track=track)
    if not listed_releases().filter(pk=track.release_id).exists():
        return None
    return _record(artist_id=track.artist_id, release=track.release)


def announce_release(*, release: Release) -> Announcement | None:
    """A release made public: announce it if something on it is listed."""
    first = listed_tracks().filter(release=release).first()
    return announce_new_music(track=first) if first else None


def _record(*, artist_id: int, **music) -> Announcement | None:
    announcement, created = Announcement.objects.get_or_create(
        **music, defaults={"artist_id": artist_id}
    )
    if not created:
        return None  # announced before (an earlier track of this release, or a repeat)
    transaction.on_commit(lambda: _enqueue(announcement.id))
    return announcement


def _enqueue(announcement_id: int) -> None:
    from .tasks import send_announcement

    send_announcement.delay(announcement_id=announcement_id)


# --- Sending -------------------------------------------------------------------------------------


def send_announcement(*, announcement_id: int) -> int:
    """Mail every follower who wants it, CHUNK at a time; returns how many were mailed.

    Each chunk runs under a lock on the announcement row and moves its cursor in the same
    transaction, so a duplicate delivery of the task waits, then carries on after the followers
    already mailed. A crash mid-chunk may re-send that one chunk; nothing else is sent twice.
    """
    mailed = 0
    while True:
        with transaction.atomic():
            announcement = (
                Announcement.objects.select_for_update(of=("self",))
                .select_related("artist", "release", "track")
                .filter(id=announcement_id, finished_at__isnull=True)
                .first()
            )
            if announcement is None:
                return mailed  # finished by an earlier delivery
            follows = list(_recipients(announcement)[:CHUNK])
            if not follows or not _still_listed(announcement):
                announcement.finished_at = timezone.now()
                announcement.save(update_fields=["finished_at"])
                return mailed
            mailers.default.send_messages([_message(announcement, f.user) for f in follows])
            announcement.cursor = follows[-1].id
            announcement.sent += len(follows)
            announcement.save(update_fields=["cursor", "sent"])
            mailed += len(follows)


def _recipients(announcement: Announcement):
    return (
        Follow.objects.filter(
            artist_id=announcement.artist_id,
            id__gt=announcement.cursor,
            user__email_new_releases=True,
            user__is_active=True,
        )
        .exclude(user__email="")
        .select_related("user")
        .order_by("id")
    )


def _still_listed(announcement: Announcement) -> bool:
    """Taken down or made private since: better say nothing than link to a missing page."""
    if announcement.release_id:
        return listed_releases().filter(pk=announcement.release_id).exists()
    return listed_tracks().filter(pk=announcement.track_id).exists()


def _message(announcement: Announcement, user: User) -> EmailMultiAlternatives:
    music = announcement.music
    unsubscribe = settings.SITE_URL + unsubscribe_path(user)
    context = {
        "user": user,
        "artist": announcement.artist,
        "music": music,
        "kind": music.get_kind_display().lower() if announcement.release_id else "single",
        "url": settings.SITE_URL + music.get_absolute_url(),
        "unsubscribe_url": unsubscribe,
        "preferences_url": settings.SITE_URL + reverse("account_preferences"),
        "SITE_NAME": settings.SITE_NAME,
    }
    message = EmailMultiAlternatives(
        subject=f"New from {announcement.artist.name}: {music.title}",
        body=render_to_string("emails/new_music.txt", context),
        to=[user.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(render_to_string("emails/new_music.html", context), "text/html")
    return message


# --- Unsubscribing -------------------------------------------------------------------------------


def unsubscribe_token(user: User) -> str:
    """A signed, timestamped token naming the user: the link works without logging in."""
    return signing.dumps({"u": user.pk}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_path(user: User) -> str:
    return reverse("unsubscribe", kwargs={"token": unsubscribe_token(user)})


def user_for_token(token: str) -> User | None:
    """The user a valid, unexpired token names; None for anything tampered, expired or odd."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT, max_age=UNSUBSCRIBE_MAX_AGE)
    except signing.BadSignature:  # includes SignatureExpired
        return None
    user_id = data.get("u") if isinstance(data, dict) else None
    if not isinstance(user_id, int):
        return None
    return User.objects.filter(pk=user_id, is_active=True).first()


def unsubscribe(*, user: User) -> bool:
    """Stop new-release e-mails; True if this changed anything (repeating is harmless)."""
    return bool(
        User.objects.filter(pk=user.pk, email_new_releases=True).update(email_new_releases=False)
    )
