"""Every URL pattern of the project, found by walking the URL conf (never listed by hand), and
the cast and objects the permission matrix and the CSRF walk request them as."""

import datetime
import re
import uuid
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.conf import settings
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

ROLES = ("anonymous", "fan", "owner", "other", "suspended", "admin")
TRACK_STATES = ("public", "unlisted", "private", "taken_down", "processing", "failed")
LIST_STATES = ("public", "unlisted", "private", "taken_down")  # releases and playlists
ARTIST_STATES = ("public", "suspended")


@dataclass(frozen=True)
class Pattern:
    """One URL pattern: `key` is its name with namespaces ("tracks:track"), or "path:<route>"
    for the few patterns without a name."""

    key: str
    route: str
    callback: object = field(compare=False, repr=False)

    @property
    def is_admin(self) -> bool:
        return self.route.startswith("admin/")

    @property
    def csrf_exempt(self) -> bool:
        return bool(getattr(self.callback, "csrf_exempt", False))


def _walk(resolver, prefix: str = "", namespace: str | None = None):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from _walk(entry, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            route = prefix + str(entry.pattern)
            if entry.name:
                key = f"{namespace}:{entry.name}" if namespace else entry.name
            else:
                key = f"path:{route}"
            yield Pattern(key, route, entry.callback)


def all_patterns() -> list[Pattern]:
    """Every pattern once (a name routed twice, like radio:live_now, counts once)."""
    seen: dict[str, Pattern] = {}
    for pattern in _walk(get_resolver()):
        seen.setdefault(pattern.key, pattern)
    return list(seen.values())


# --- The admin: one rule ("staff only") for every pattern under admin/ --------------------------

_ADMIN_MODEL = re.compile(r"^admin/(?P<app>\w+)/(?P<model>\w+)/")


def model_of(pattern: Pattern):
    """The model an admin pattern is about (admin/<app>/<model>/…), or None."""
    found = _ADMIN_MODEL.match(pattern.route)
    for registered in admin.site._registry if found else ():
        meta = registered._meta
        if (meta.app_label, meta.model_name) == (found["app"], found["model"]):
            return registered
    return None


def admin_path(pattern: Pattern) -> str:
    """A concrete path for an admin pattern, naming a real row where it needs an object."""
    model = model_of(pattern)
    row = model._default_manager.order_by("pk").first() if model else None
    object_id = str(row.pk) if row else "1"
    name = pattern.key
    if name == "admin:app_list":
        return reverse(name, kwargs={"app_label": "tracks"})
    if name == "admin:view_on_site":
        from tracks.models import Track

        content_type = ContentType.objects.get_for_model(Track)
        track = Track.objects.order_by("pk").first()
        return reverse(name, kwargs={"content_type_id": content_type.pk, "object_id": track.pk})
    if name.startswith("admin:") and "<path:object_id>" in pattern.route:
        return reverse(name, kwargs={"object_id": object_id})
    if name == "admin:takedowns_claim_act":  # a moderator's action on a copyright claim
        from takedowns.admin import ACTIONS

        # The first action that applies to the claim (the page for one that does not
        # redirects back to the claim).
        action = next(
            (slug for slug, spec in ACTIONS.items() if row and row.status in spec[2]),
            "take-down",
        )
        return reverse(name, kwargs={"claim_id": object_id, "action": action})
    if name == "admin:moderation_report_act":  # a moderator's action on a report
        return reverse(name, kwargs={"report_id": object_id, "action": "dismiss"})
    if name.startswith("admin:") and "<id>" in pattern.route:
        return reverse(name, kwargs={"id": object_id})
    if name.startswith("admin:"):
        return reverse(name)
    # Unnamed: the old change URL (admin/<app>/<model>/<id>/) and the catch-all.
    path = pattern.route.replace("<path:object_id>", object_id).replace("<id>", object_id)
    if "(?P<url>" in path:
        path = "admin/no-such-page/"
    return "/" + path


# --- The world ------------------------------------------------------------------------------------


def build_world() -> SimpleNamespace:
    """The cast (one user per role) and objects in every state, all owned by `owner` unless
    said otherwise. Built once per test module, inside a transaction rolled back after it."""
    from collab.models import Application
    from credits.models import Credit, ProposalShare, SplitProposal
    from messaging import services as messaging
    from moderation.actions import suspend_user
    from moderation.models import Category, Report
    from notifications.models import Notification
    from payments.checkout_models import Payment, PriceTag, Purchase
    from playlists import services as playlists
    from radio.models import RadioPlay, RadioSession, StationKind, TimedComment
    from takedowns.models import ClaimedWork, CopyrightClaim, CounterNotice
    from tests.collab.factories import CallFactory
    from tests.factories import ArtistFactory, ReleaseFactory, TrackFactory, UserFactory
    from tracks.models import Track, Upload, Visibility

    w = SimpleNamespace()
    w.admin = UserFactory(username="matrix-admin", is_staff=True, is_superuser=True)
    w.fan = UserFactory(username="matrix-fan")
    w.owner_artist = ArtistFactory(slug="matrix-owner", name="Matrix Owner")
    w.other_artist = ArtistFactory(slug="matrix-other", name="Matrix Other")
    w.suspended_artist = ArtistFactory(slug="matrix-suspended", name="Matrix Suspended")
    w.hidden_artist = ArtistFactory(slug="matrix-hidden", name="Matrix Hidden")
    suspend_user(user=w.suspended_artist.user, actor=w.admin, note="Matrix test")
    w.suspended_artist.refresh_from_db()
    w.users = {
        "anonymous": None,
        "fan": w.fan,
        "owner": w.owner_artist.user,
        "other": w.other_artist.user,
        "suspended": w.suspended_artist.user,
        "admin": w.admin,
    }
    # One session per role, made once: each test sends its cookie (no login per test).
    w.sessions = {}
    for role, user in w.users.items():
        if user is not None:
            browser = Client()
            browser.force_login(user)
            w.sessions[role] = browser.cookies[settings.SESSION_COOKIE_NAME].value
    owner = w.owner_artist
    now = timezone.now()

    def track(state: str, **extra) -> Track:
        fields = {"artist": owner, "title": f"Track {state}"}
        if state in ("unlisted", "private"):
            fields["visibility"] = state
        if state == "taken_down":
            fields.update(taken_down_at=now, takedown_reason="Copyright claim (matrix)")
        if state in ("processing", "failed"):
            fields["status"] = state
        return TrackFactory(**fields, **extra)

    w.track = {state: track(state) for state in TRACK_STATES}
    w.release = {}
    for state in LIST_STATES:
        fields = {"artist": owner, "title": f"Release {state}"}
        if state in ("unlisted", "private"):
            fields["visibility"] = state
        if state == "taken_down":
            fields["taken_down_at"] = now
        w.release[state] = ReleaseFactory(**fields)
        TrackFactory(artist=owner, release=w.release[state], title=f"On release {state}")
    for item in [*w.track.values(), *w.release.values()]:
        kind = "track" if isinstance(item, Track) else "release"
        PriceTag.objects.create(**{kind: item}, price=500, currency="eur")

    public = w.track["public"]
    w.playlist = {}
    for state in LIST_STATES:
        visibility = state if state in ("unlisted", "private") else Visibility.PUBLIC
        playlist = playlists.create_playlist(
            owner=owner.user, title=f"Playlist {state}", visibility=visibility
        )
        playlists.add_track(playlist=playlist, track=public, by=owner.user)
        if state == "taken_down":
            type(playlist).objects.filter(pk=playlist.pk).update(taken_down_at=now)
        playlist.refresh_from_db()
        w.playlist[state] = playlist
    # A public playlist of a suspended person: hidden like the rest of their public content.
    hidden = playlists.create_playlist(owner=w.hidden_artist.user, title="Playlist hidden")
    playlists.add_track(playlist=hidden, track=public, by=w.hidden_artist.user)
    w.playlist["owner_suspended"] = hidden
    # Suspended only now: a suspended person can no longer make playlists.
    suspend_user(user=w.hidden_artist.user, actor=w.admin, note="Matrix test")
    w.hidden_artist.refresh_from_db()
    w.profile = {"public": w.fan, "suspended": w.hidden_artist.user}

    # The collaboration board: an open call by `owner` (sharing a private reference track),
    # answered by `other`; and a call by a suspended artist.
    w.call = {
        "open": CallFactory(poster=owner, reference_track=w.track["private"]),
        "suspended_poster": CallFactory(poster=w.hidden_artist),
    }
    w.application = Application.objects.create(
        call=w.call["open"], applicant=w.other_artist, message="I sing."
    )
    message, _ = messaging.send_message(
        sender=owner.user, recipient=w.other_artist.user, body="Hello", token=uuid.uuid4()
    )
    w.conversation = message.conversation
    w.message = message  # sent by `owner` to `other`: only `other` may report it
    w.credit = Credit.objects.create(
        track=public, artist=w.other_artist, role=Credit.Role.FEATURING
    )
    w.proposal = SplitProposal.objects.create(track=public, proposed_by=owner)
    ProposalShare.objects.create(proposal=w.proposal, artist=owner, basis_points=5000)
    ProposalShare.objects.create(proposal=w.proposal, artist=w.other_artist, basis_points=5000)

    w.payment = Payment.objects.create(
        kind=Payment.Kind.SALE,
        status=Payment.Status.PAID,
        fan=w.fan,
        artist=owner,
        track=public,
        amount=500,
        currency="eur",
        form_token="matrix",
        paid_at=now,
    )
    Purchase.objects.create(payment=w.payment, fan=w.fan, track=public)

    w.session = RadioSession.objects.create(listener_key="someone-else", kind=StationKind.TAG)
    w.radio_play = RadioPlay.objects.create(
        track=public, listener_key="someone-else", kind=StationKind.TAG, session=w.session
    )
    w.comment = TimedComment.objects.create(track=public, author=w.fan, at_seconds=1, body="Hi")
    w.upload = Upload.objects.create(
        user=owner.user, artist=owner, key="uploads/matrix", filename="a.flac", declared_size=10
    )
    Notification.objects.create(user=w.fan, kind="test", text="Hello")
    w.month = (now - datetime.timedelta(days=31)).date()  # a month with a statement page

    # Moderation: an open report, so the queue's pages (and its act page) show a real row.
    Report.objects.create(
        target_type=ContentType.objects.get_for_model(Track),
        target_id=public.pk,
        target_label=f"track: {public}",
        category=Category.SPAM,
        reporter=w.fan,
        reporter_email=w.fan.email,
    )
    # Copyright: two claims that took down the owner's track, the first answered with a
    # counter-notice (so the admin's act page has an action to ask about); their pages are
    # requested by reference.
    w.claim = {}
    taken_down = w.track["taken_down"]
    for state, status in (("countered", "countered"), ("actioned", "actioned")):
        claim = CopyrightClaim.objects.create(
            submission=uuid.uuid4(),
            claimant_name="Matrix Claimant",
            email="claimant@example.com",
            postal_address="1 Matrix Road",
            capacity=CopyrightClaim.Capacity.OWNER,
            work_description="My song",
            good_faith=True,
            accurate_under_penalty=True,
            signature="Matrix Claimant",
            status=status,
        )
        ClaimedWork.objects.create(
            claim=claim,
            content_type=ContentType.objects.get_for_model(Track),
            object_id=taken_down.pk,
            label=str(taken_down),
            url=taken_down.get_absolute_url(),
            owner=owner.user,
            taken_down_at=now,
        )
        w.claim[state] = claim
    CounterNotice.objects.create(
        claim=w.claim["countered"],
        user=owner.user,
        statement="It is mine.",
        good_faith_mistake=True,
        consent_to_jurisdiction=True,
        postal_address="2 Owner Street",
        signature="Matrix Owner",
    )
    return w
