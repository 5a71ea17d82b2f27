"""The permission matrix: every URL pattern of the project, requested by every role, against
objects in every state, with the answer each must get (issue 8, "Security review, as tests").

The rules live in RULES below, keyed by URL name. A new URL without a rule fails
`test_every_url_has_a_rule`: add one here, saying who may do what with it.

An expectation is a status code, or LOGIN (a redirect to the sign-in page), or ADMIN_LOGIN (a
redirect to the admin's), or SKIP (not requested: the request would call Stripe). Roles:
anonymous, fan (signed in, no artist profile), owner (the artist owning every object), other
(another artist), suspended (an artist suspended by moderation, still holding a session), admin
(staff). The suspended role must get what an anonymous visitor gets (docs/security.md).
"""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from django.urls import reverse

from .urlwalk import (
    ARTIST_STATES,
    LIST_STATES,
    ROLES,
    TRACK_STATES,
    admin_path,
    all_patterns,
)

LOGIN = "login"
ADMIN_LOGIN = "admin-login"
SKIP = "skip"

Expect = Callable[[str, str], object]  # (role, state) -> expected answer


def everyone(code: object) -> Expect:
    return lambda role, state: code


def by_role(default: object = 404, **codes: object) -> Expect:
    """`codes` per role (anonymous=…, fan=…), `default` for the roles not named."""
    return lambda role, state: codes.get(role, default)


def signed_in(code: object, **codes: object) -> Expect:
    """Anonymous visitors are sent to sign in; signed-in roles get `code` (or their own)."""
    return by_role(code, **{"anonymous": LOGIN, **codes})


def artist_page(code: object, **codes: object) -> Expect:
    """Pages for artists: sign in first; a fan and staff (no artist profile) get `no_artist`."""
    no_artist = codes.pop("no_artist", 404)
    return by_role(code, **{"anonymous": LOGIN, "fan": no_artist, "admin": no_artist, **codes})


def visible(code: object, hidden: object = 404, *, anonymous: object = None, **own) -> Expect:
    """Music and playlists: public and unlisted (by its link) for everyone; private, taken
    down, processing and failed only for the owner and staff. `own` overrides the owner's
    and staff's answer per state; `anonymous` replaces an anonymous visitor's answer."""

    def expect(role: str, state: str) -> object:
        if role == "anonymous" and anonymous is not None:
            return anonymous
        if role in ("owner", "admin"):
            return own.get(state, code)
        return code if state in ("public", "unlisted") else hidden

    return expect


def owner_only(code: object, other: object = 404, *, anonymous: object = LOGIN, **per_state):
    """Only the owner (in every state unless `per_state` says otherwise); 404 for the rest."""

    def expect(role: str, state: str) -> object:
        if role == "anonymous":
            return anonymous
        if role == "owner":
            return per_state.get(state, code)
        return other

    return expect


def staff_too(expect: Expect) -> Expect:
    """`expect`, except that staff get 200 (pages moderators read)."""
    return lambda role, state: 200 if role == "admin" else expect(role, state)


def for_sale(code: object) -> Expect:
    """What may be bought: a ready public or unlisted track, not by the buyer."""

    def expect(role: str, state: str) -> object:
        if role == "anonymous":
            return LOGIN
        return code if role != "owner" and state in ("public", "unlisted") else 404

    return expect


def per_state(**states: Expect) -> Expect:
    return lambda role, state: states[state](role, state)


@dataclass(frozen=True)
class Rule:
    """How to request one URL and what each role gets. `kwargs(world, state)` builds the URL's
    arguments; `post` is None for URLs that change nothing."""

    get: Expect
    post: Expect | None = None
    kwargs: Callable = lambda w, state: {}
    states: tuple[str, ...] = ("-",)
    query: Callable = lambda w, state: ""
    data: Callable = lambda w, state: {}


def _track(w, state):
    return {"public_id": w.track[state].public_id}


def _track_slug(w, state):
    return {**_track(w, state), "slug": w.track[state].slug}


def _release(w, state):
    return {"public_id": w.release[state].public_id}


def _playlist(w, state):
    return {"public_id": w.playlist[state].public_id}


def _artist(w, state):
    return {"slug": (w.owner_artist if state == "public" else w.hidden_artist).slug}


def _month(w, state):
    return {"year": w.month.year, "month": w.month.month}


def _conversation(w, state):
    return {"conversation_id": w.conversation.pk}


CLAIM_STATES = ("actioned", "countered", "missing")


def _claim(w, state):
    return {"reference": w.claim[state].reference if state in w.claim else "NO-SUCH-CLAIM"}


# What may be reported, in each state of each kind: "<kind>_<state>".
REPORT_STATES = (
    *(f"track_{s}" for s in TRACK_STATES),
    *(f"release_{s}" for s in LIST_STATES),
    *(f"playlist_{s}" for s in (*LIST_STATES, "owner_suspended")),
    *(f"artist_{s}" for s in ARTIST_STATES),
    "comment",  # the fan's, shown, on the public track
    "message",  # sent by the owner to `other`
)


def _report(w, state):
    kind, _, sub = state.partition("_")
    key = {
        "track": lambda: w.track[sub].public_id,
        "release": lambda: w.release[sub].public_id,
        "playlist": lambda: w.playlist[sub].public_id,
        "artist": lambda: _artist(w, sub)["slug"],
        "comment": lambda: w.comment.pk,
        "message": lambda: w.message.pk,
    }[kind]()
    return {"kind": kind, "key": key}


def reportable(code: object) -> Expect:
    """/report/<kind>/<key>/: `code` for whoever can see the thing (by the apps' own rules,
    as on its page), 404 for everyone else; a message only by the person it was sent to."""

    def expect(role: str, state: str) -> object:
        kind, _, sub = state.partition("_")
        if kind in ("track", "release") or (kind == "playlist" and sub != "owner_suspended"):
            return visible(code)(role, sub)
        if kind in ("playlist", "artist") and sub != "public":  # a suspended person's
            return code if role == "admin" else 404
        if kind == "message":
            return code if role == "other" else 404
        return code

    return expect


def track_rule(get, post=None, kwargs=_track, **extra) -> Rule:
    return Rule(get=get, post=post, kwargs=kwargs, states=TRACK_STATES, **extra)


def release_rule(get, post=None, kwargs=_release, **extra) -> Rule:
    return Rule(get=get, post=post, kwargs=kwargs, states=LIST_STATES, **extra)


def playlist_rule(get, post=None, **extra) -> Rule:
    return Rule(get=get, post=post, kwargs=_playlist, states=LIST_STATES, **extra)


def artist_rule(get, post=None, kwargs=_artist, **extra) -> Rule:
    return Rule(get=get, post=post, kwargs=kwargs, states=ARTIST_STATES, **extra)


POST_ONLY = everyone(405)  # GET on a POST-only view, for everyone
POST_ONLY_SIGNED_IN = signed_in(405)  # the same behind login_required
BOGUS = {"token": "not-a-signed-token"}
NOT_PLAYABLE = {"taken_down": 409, "processing": 409, "failed": 409}
GONE_FROM_STATS = {"taken_down": 404}

RULES: dict[str, Rule] = {
    # --- Site pages ---------------------------------------------------------------------------
    "home": Rule(everyone(200)),
    "healthz": Rule(everyone(200)),
    "ping": Rule(everyone(200)),
    "search": Rule(everyone(200), query=lambda w, s: "?q=track"),
    "search_suggest": Rule(everyone(200), query=lambda w, s: "?q=track"),
    "account_preferences": Rule(
        signed_in(200), post=signed_in(302), data=lambda w, s: {"email_new_releases": "on"}
    ),
    "unsubscribe": Rule(everyone(400), post=everyone(400), kwargs=lambda w, s: BOGUS),
    "path:media/<path:path>": Rule(everyone(404), kwargs=lambda w, s: {"path": "none.png"}),
    "beacon": Rule(POST_ONLY, post=everyone(400)),
    "path:radio/live/now": Rule(everyone(200)),
    # --- Accounts (allauth): who reaches which page ---------------------------------------------
    "account_login": Rule(signed_in(302, anonymous=200)),
    "account_signup": Rule(signed_in(302, anonymous=200)),
    "account_logout": Rule(signed_in(200, anonymous=302), post=everyone(302)),
    "account_inactive": Rule(everyone(200)),
    "account_reauthenticate": Rule(signed_in(200)),
    "account_email": Rule(signed_in(200)),
    "account_email_verification_sent": Rule(everyone(200)),
    "account_change_password": Rule(signed_in(200)),
    "account_set_password": Rule(signed_in(302)),
    "account_reset_password": Rule(everyone(200)),
    "account_reset_password_done": Rule(everyone(200)),
    "account_reset_password_from_key_done": Rule(everyone(200)),
    "account_reset_password_from_key": Rule(
        everyone(200), kwargs=lambda w, s: {"uidb36": "zz", "key": "not-a-key"}
    ),
    "account_confirm_email": Rule(everyone(200), kwargs=lambda w, s: {"key": "not-a-key"}),
    "account_confirm_login_code": Rule(everyone(302)),
    # --- Music --------------------------------------------------------------------------------
    "tracks:upload": Rule(signed_in(200, fan=302, admin=302)),
    "tracks:upload_start": Rule(POST_ONLY_SIGNED_IN, post=artist_page(400)),
    "tracks:upload_receive": Rule(
        POST_ONLY_SIGNED_IN,
        post=owner_only(400),
        kwargs=lambda w, s: {"upload_id": w.upload.pk},
    ),
    "tracks:upload_complete": Rule(
        POST_ONLY_SIGNED_IN,
        post=owner_only(400),
        kwargs=lambda w, s: {"upload_id": w.upload.pk},
    ),
    "tracks:release_create": Rule(POST_ONLY_SIGNED_IN, post=artist_page(400)),
    "tracks:track_edit": track_rule(owner_only(200), post=owner_only(422)),
    "tracks:track_status": track_rule(owner_only(200, anonymous=404)),
    "tracks:track_retry": track_rule(POST_ONLY_SIGNED_IN, post=owner_only(302)),
    "tracks:track_play": track_rule(visible(200, **NOT_PLAYABLE)),
    "tracks:track_short": track_rule(visible(301)),
    "tracks:track": track_rule(visible(200), kwargs=_track_slug),
    "tracks:release_edit": release_rule(owner_only(200), post=owner_only(422)),
    "tracks:release_short": release_rule(visible(301)),
    "tracks:release": release_rule(
        visible(200), kwargs=lambda w, s: {**_release(w, s), "slug": w.release[s].slug}
    ),
    "tracks:stream": Rule(everyone(404), kwargs=lambda w, s: BOGUS),
    "embed:track": track_rule(
        per_state(
            public=everyone(200),
            unlisted=everyone(200),
            **{s: everyone(404) for s in TRACK_STATES[2:]},
        )
    ),
    "embed:release": release_rule(
        per_state(
            public=everyone(200),
            unlisted=everyone(200),
            private=everyone(404),
            taken_down=everyone(404),
        )
    ),
    "embed:track_audio": track_rule(visible(302, taken_down=404, processing=404, failed=404)),
    "embed:oembed": track_rule(
        per_state(
            public=everyone(200),
            unlisted=everyone(200),
            private=everyone(401),
            **{s: everyone(404) for s in TRACK_STATES[3:]},
        ),
        kwargs=lambda w, s: {},
        query=lambda w, s: f"?url={settings.SITE_URL}{w.track[s].get_absolute_url()}",
    ),
    # --- Artists ------------------------------------------------------------------------------
    "artists:create": Rule(
        signed_in(302, fan=200, admin=200), post=signed_in(302, fan=422, admin=422)
    ),
    "artists:edit": Rule(
        signed_in(200, fan=302, admin=302), post=signed_in(422, fan=302, admin=302)
    ),
    "artists:studio": Rule(signed_in(200, fan=302, admin=302)),
    "artists:detail": artist_rule(per_state(public=everyone(200), suspended=by_role(admin=200))),
    "artists:follow": artist_rule(
        POST_ONLY_SIGNED_IN,
        post=per_state(public=signed_in(302), suspended=by_role(anonymous=LOGIN, admin=302)),
    ),
    "embed:artist": artist_rule(per_state(public=everyone(200), suspended=everyone(404))),
    # --- Library and playlists ----------------------------------------------------------------
    "playlists:library": Rule(signed_in(200)),
    "playlists:create": Rule(signed_in(200), post=signed_in(422)),
    "playlists:add": Rule(
        signed_in(200),
        query=lambda w, s: f"?track={w.track['public'].public_id}",
        post=per_state(
            public=by_role(owner=302),
            unlisted=by_role(owner=302),
            private=by_role(owner=302),
            taken_down=everyone(404),
        ),
        states=LIST_STATES,
        data=lambda w, s: {
            "playlist": w.playlist[s].public_id,
            "track": w.track["public"].public_id,
        },
    ),
    "playlists:edit": playlist_rule(
        owner_only(200, anonymous=404), post=owner_only(422, anonymous=404)
    ),
    "playlists:delete": playlist_rule(
        owner_only(200, anonymous=404), post=owner_only(302, anonymous=404)
    ),
    "playlists:move": playlist_rule(POST_ONLY, post=owner_only(400, anonymous=404, taken_down=404)),
    "playlists:remove": playlist_rule(
        POST_ONLY, post=owner_only(400, anonymous=404, taken_down=404)
    ),
    "playlists:follow": playlist_rule(POST_ONLY_SIGNED_IN, post=visible(302, anonymous=LOGIN)),
    "playlists:collaborators": playlist_rule(
        owner_only(200, anonymous=404), post=owner_only(422, anonymous=404)
    ),
    "playlists:remove_collaborator": playlist_rule(POST_ONLY, post=owner_only(302, anonymous=404)),
    # Nobody here is invited: accepting or leaving is refused to all, like a missing playlist.
    "playlists:accept": playlist_rule(POST_ONLY_SIGNED_IN, post=signed_in(404)),
    "playlists:leave": playlist_rule(POST_ONLY, post=everyone(404)),
    "playlists:short": playlist_rule(visible(302)),
    "playlists:detail": Rule(
        per_state(**{s: visible(200) for s in LIST_STATES}, owner_suspended=by_role(admin=200)),
        kwargs=lambda w, s: {**_playlist(w, s), "slug": w.playlist[s].slug},
        states=(*LIST_STATES, "owner_suspended"),
    ),
    "embed:playlist": Rule(
        per_state(
            public=everyone(200),
            unlisted=everyone(200),
            private=everyone(404),
            taken_down=everyone(404),
            owner_suspended=everyone(404),
        ),
        kwargs=_playlist,
        states=(*LIST_STATES, "owner_suspended"),
    ),
    "playlists:save_track": track_rule(POST_ONLY_SIGNED_IN, post=visible(302, anonymous=LOGIN)),
    "playlists:save_release": release_rule(POST_ONLY_SIGNED_IN, post=visible(302, anonymous=LOGIN)),
    "playlists:profile": Rule(
        per_state(public=everyone(200), suspended=by_role(admin=200)),
        kwargs=lambda w, s: {"username": w.profile[s].username},
        states=ARTIST_STATES,
    ),
    # --- Buying, tipping, getting paid --------------------------------------------------------
    "checkout:buy": track_rule(
        for_sale(200),
        post=for_sale(422),
        kwargs=lambda w, s: {"kind": "track", **_track(w, s)},
    ),
    "checkout:tip": artist_rule(
        per_state(public=signed_in(200, owner=404), suspended=signed_in(404)),
        post=per_state(public=signed_in(422, owner=404), suspended=signed_in(404)),
    ),
    "checkout:thanks": Rule(
        signed_in(404, fan=200), kwargs=lambda w, s: {"payment_id": w.payment.pk}
    ),
    "checkout:purchases": Rule(signed_in(200)),
    "checkout:download": Rule(
        signed_in(404, fan=302), kwargs=lambda w, s: {"public_id": w.track["public"].public_id}
    ),
    "checkout:download_file": Rule(signed_in(404), kwargs=lambda w, s: BOGUS),
    "checkout:price": track_rule(
        owner_only(200),
        post=owner_only(302),
        kwargs=lambda w, s: {"kind": "track", **_track(w, s)},
    ),
    "supporters:page": Rule(everyone(200)),
    "supporters:subscribe": Rule(POST_ONLY_SIGNED_IN, post=signed_in(SKIP)),
    "supporters:cancel": Rule(POST_ONLY_SIGNED_IN, post=signed_in(302)),
    "payments:webhook": Rule(POST_ONLY, post=everyone(400)),
    "payments:payouts": Rule(artist_page(200)),
    "payments:payouts_return": Rule(artist_page(200)),
    "payments:payouts_onboard": Rule(POST_ONLY_SIGNED_IN, post=artist_page(SKIP)),
    "payments:payouts_refresh": Rule(artist_page(SKIP)),
    "payments:earnings": Rule(artist_page(200)),
    "payments:statement": Rule(
        artist_page(200),
        kwargs=_month,
    ),
    "payments:statement_csv": Rule(
        artist_page(200),
        kwargs=_month,
    ),
    "payments:sandbox": Rule(everyone(404), kwargs=lambda w, s: {"path": "v1/anything"}),
    # --- Stats --------------------------------------------------------------------------------
    "how_we_count": Rule(everyone(200)),
    "stats": Rule(artist_page(200, anonymous=404)),
    "stats_csv": Rule(artist_page(200, anonymous=404), kwargs=lambda w, s: {"table": "daily"}),
    "stats_live": release_rule(owner_only(200, anonymous=404, **GONE_FROM_STATS)),
    "stats_release": release_rule(owner_only(200, anonymous=404, **GONE_FROM_STATS)),
    "stats_release_csv": release_rule(
        owner_only(200, anonymous=404, **GONE_FROM_STATS),
        kwargs=lambda w, s: {**_release(w, s), "table": "daily"},
    ),
    "stats_track": track_rule(owner_only(200, anonymous=404, **GONE_FROM_STATS)),
    "stats_track_csv": track_rule(
        owner_only(200, anonymous=404, **GONE_FROM_STATS),
        kwargs=lambda w, s: {**_track(w, s), "table": "daily"},
    ),
    # --- Radio --------------------------------------------------------------------------------
    "radio:home": Rule(everyone(200)),
    "radio:start": track_rule(
        visible(200),
        post=visible(302),
        kwargs=lambda w, s: {},
        query=lambda w, s: f"?kind=track&track={w.track[s].public_id}",
        data=lambda w, s: {"kind": "track", "track": w.track[s].public_id},
    ),
    # Stations and plays belong to the listener they were made for (someone else here).
    "radio:station": Rule(everyone(404), kwargs=lambda w, s: {"session_id": w.session.pk}),
    "radio:station_next": Rule(
        POST_ONLY, post=everyone(404), kwargs=lambda w, s: {"session_id": w.session.pk}
    ),
    "radio:feedback": Rule(
        POST_ONLY, post=everyone(404), kwargs=lambda w, s: {"play_id": w.radio_play.pk}
    ),
    "radio:comments": track_rule(POST_ONLY_SIGNED_IN, post=visible(400, anonymous=LOGIN)),
    "radio:comment_delete": Rule(
        POST_ONLY_SIGNED_IN,
        post=signed_in(404, fan=302, owner=302),
        kwargs=lambda w, s: {"comment_id": w.comment.pk},
    ),
    "radio:how_it_picks": Rule(everyone(200)),
    "radio:stats": track_rule(
        staff_too(owner_only(200, anonymous=404, **GONE_FROM_STATS)),
        kwargs=lambda w, s: {"kind": "track", "key": w.track[s].public_id},
    ),
    "radio:studio": Rule(
        signed_in(200, fan=302, admin=302), post=signed_in(400, fan=302, admin=302)
    ),
    "radio:live": Rule(everyone(200)),
    "radio:live_now": Rule(everyone(200)),
    "radio:live_tune": Rule(POST_ONLY, post=everyone(400)),
    # --- Notifications ------------------------------------------------------------------------
    "notifications:inbox": Rule(signed_in(200)),
    "notifications:read_all": Rule(POST_ONLY_SIGNED_IN, post=signed_in(302)),
    # --- Credits and splits (artists only; a fan is told how to become one: 403) -------------
    "credits:inbox": Rule(artist_page(200, no_artist=403)),
    "credits:work": track_rule(
        lambda role, state: (
            (artist_page(404, no_artist=403)(role, state) if role != "owner" else 200)
            if not (role == "other" and state == "public")
            else 200
        ),
        kwargs=lambda w, s: {"kind": "track", **_track(w, s)},
    ),
    "credits:add": track_rule(
        POST_ONLY_SIGNED_IN,
        post=artist_page(404, no_artist=403, owner=400),
        kwargs=lambda w, s: {"kind": "track", **_track(w, s)},
    ),
    "credits:propose": track_rule(
        POST_ONLY_SIGNED_IN,
        # Nothing posted: on the public track (credited) that withdraws, elsewhere it is a 400.
        post=lambda role, state: (
            (302 if state == "public" else 400)
            if role == "owner"
            else artist_page(404, no_artist=403)(role, state)
        ),
        kwargs=lambda w, s: {"kind": "track", **_track(w, s)},
    ),
    "credits:credit_answer": Rule(
        POST_ONLY_SIGNED_IN,
        post=artist_page(404, no_artist=403, other=400),
        kwargs=lambda w, s: {"credit_id": w.credit.pk},
    ),
    "credits:credit_remove": Rule(
        POST_ONLY_SIGNED_IN,
        post=artist_page(404, no_artist=403, owner=302, other=302),
        kwargs=lambda w, s: {"credit_id": w.credit.pk},
    ),
    "credits:proposal_answer": Rule(
        POST_ONLY_SIGNED_IN,
        post=artist_page(404, no_artist=403, owner=400, other=400),
        kwargs=lambda w, s: {"proposal_id": w.proposal.pk},
    ),
    "credits:old_splits": track_rule(
        everyone(301), kwargs=lambda w, s: {"kind": "track", **_track(w, s)}
    ),
    # --- Copyright (takedowns/): the claim form is public; a claim's pages need its reference.
    # The world's claims took down the owner's track; one has the owner's counter-notice.
    "takedowns:claim": Rule(everyone(200), post=everyone(400)),
    "takedowns:received": Rule(
        per_state(actioned=everyone(200), countered=everyone(200), missing=everyone(404)),
        kwargs=_claim,
        states=CLAIM_STATES,
    ),
    # Only the uploader whose work the claim took down: 404 for everyone else, staff too (they
    # read claims in the admin). Filed already: the page says so, and a POST is a 409.
    "takedowns:counter": Rule(
        per_state(
            actioned=signed_in(404, owner=200),
            countered=signed_in(404, owner=200),
            missing=signed_in(404),
        ),
        post=per_state(
            actioned=signed_in(404, owner=400),
            countered=signed_in(404, owner=409),
            missing=signed_in(404),
        ),
        kwargs=_claim,
        states=CLAIM_STATES,
    ),
    # --- Reporting (moderation/): anyone may report what they can see, 404 for the rest -------
    "moderation:report": Rule(
        reportable(200), post=reportable(400), kwargs=_report, states=REPORT_STATES
    ),
    "moderation:thanks": Rule(everyone(200), query=lambda w, s: "?back=/"),
    # --- The collaboration board --------------------------------------------------------------
    "collab:board": Rule(everyone(200)),
    "collab:directory": Rule(everyone(200)),
    "collab:mine": Rule(artist_page(200, no_artist=403)),
    "collab:call_new": Rule(
        artist_page(200, no_artist=403),
        post=artist_page(422, no_artist=403),
        data=lambda w, s: {"title": ""},
    ),
    "collab:call": Rule(
        per_state(open=everyone(200), suspended_poster=by_role(admin=200)),
        kwargs=lambda w, s: {"call_id": w.call[s].pk},
        states=("open", "suspended_poster"),
    ),
    "collab:call_close": Rule(
        owner_only(200), post=owner_only(302), kwargs=lambda w, s: {"call_id": w.call["open"].pk}
    ),
    "collab:answer": Rule(
        POST_ONLY_SIGNED_IN,
        post=artist_page(422, no_artist=403),
        kwargs=lambda w, s: {"call_id": w.call["open"].pk},
    ),
    "collab:reference_play": Rule(
        by_role(owner=200, other=200), kwargs=lambda w, s: {"call_id": w.call["open"].pk}
    ),
    "collab:reference_stream": Rule(everyone(404), kwargs=lambda w, s: BOGUS),
    "collab:decide": Rule(
        POST_ONLY_SIGNED_IN,
        post=owner_only(302),
        kwargs=lambda w, s: {"application_id": w.application.pk, "decision": "shortlist"},
    ),
    # --- Messages (artists only) --------------------------------------------------------------
    "messaging:inbox": Rule(artist_page(200, no_artist=403)),
    "messaging:conversation": Rule(
        artist_page(404, no_artist=403, owner=200, other=200), kwargs=_conversation
    ),
    "messaging:send": Rule(
        artist_page(405, no_artist=403),
        post=artist_page(404, no_artist=403, owner=400, other=400),
        kwargs=_conversation,
    ),
    "messaging:poll": Rule(
        artist_page(404, no_artist=403, owner=200, other=200), kwargs=_conversation
    ),
    # The conversation's Report link sends to moderation:report for the other person's newest
    # message: `other` has one from the owner; the owner has nothing to report yet (404).
    "messaging:report": Rule(
        artist_page(404, no_artist=403, other=302),
        post=artist_page(405, no_artist=403),
        kwargs=_conversation,
    ),
    "messaging:start": artist_rule(
        per_state(
            public=artist_page(200, no_artist=403, owner=404, other=302),
            suspended=artist_page(404, no_artist=403),
        ),
        post=per_state(
            public=artist_page(400, no_artist=403, owner=404),
            suspended=artist_page(404, no_artist=403),
        ),
    ),
    "messaging:block": artist_rule(
        artist_page(405, no_artist=403),
        post=per_state(
            public=artist_page(302, no_artist=403, owner=404),
            suspended=artist_page(404, no_artist=403),
        ),
    ),
}


# --- Cases -------------------------------------------------------------------------------------

PATTERNS = all_patterns()
SITE = [p for p in PATTERNS if not p.is_admin]
ADMIN = [p for p in PATTERNS if p.is_admin]


def _cases():
    for key, rule in RULES.items():
        methods = [("GET", rule.get)] + ([("POST", rule.post)] if rule.post else [])
        for method, expect in methods:
            states = rule.states
            if method == "GET" and expect in (POST_ONLY, POST_ONLY_SIGNED_IN):
                states = states[:1]  # a 405 whatever the object's state: asked once
            for state in states:
                for role in ROLES:
                    wanted = expect("anonymous" if role == "suspended" else role, state)
                    if wanted == SKIP:
                        continue
                    yield pytest.param(
                        key, method, state, role, wanted, id=f"{key}-{method}-{state}-{role}"
                    )


def client_for(world, role: str) -> Client:
    """A browser for `role` holding a CSRF cookie, so POSTs carry a valid token."""
    client = Client(enforce_csrf_checks=True)
    if role in world.sessions:
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[role]
    client.csrf_token = _get_new_csrf_string()
    client.cookies["csrftoken"] = client.csrf_token
    return client


def request(client: Client, method: str, url: str, data: dict | None = None):
    if method == "GET":
        return client.get(url)
    return client.post(url, data or {}, HTTP_X_CSRFTOKEN=client.csrf_token)


def check(response, wanted, what: str) -> None:
    location = response.get("Location", "")
    if wanted == LOGIN:
        ok = response.status_code == 302 and location.startswith(reverse("account_login"))
    elif wanted == ADMIN_LOGIN:
        ok = response.status_code == 302 and location.startswith(reverse("admin:login"))
    else:
        ok = response.status_code == wanted
    assert ok, f"{what}: expected {wanted}, got {response.status_code} {location}".strip()


@pytest.mark.django_db
@pytest.mark.parametrize(("key", "method", "state", "role", "wanted"), list(_cases()))
def test_matrix(world, key, method, state, role, wanted):
    rule = RULES[key]
    name = key.removeprefix("path:")
    if key.startswith("path:"):
        pattern = next(p for p in PATTERNS if p.key == key)
        url = "/" + pattern.route
        for arg, value in rule.kwargs(world, state).items():
            url = url.replace(f"<path:{arg}>", str(value))
    else:
        url = reverse(name, kwargs=rule.kwargs(world, state))
    url += rule.query(world, state)
    client = client_for(world, role)
    data = rule.data(world, state) if method == "POST" else None
    response = request(client, method, url, data)
    if role == "suspended" and ended_suspended_session(response):
        # The request ran as a visitor's and was answered with the reason; the session is
        # over, so the same request again gets exactly what a visitor gets.
        response = request(client, method, url, data)
    check(response, wanted, f"{method} {url} as {role} ({state})")


def ended_suspended_session(response) -> bool:
    """backstage.signin.SuspendedSignOutMiddleware's answer: a 403 saying why."""
    return response.status_code == 403 and b"suspended" in response.content


@pytest.mark.django_db
def test_the_owner_is_told_why_their_track_was_taken_down(world):
    """A taken-down track is a 404 for everyone else (above); its artist still sees the page,
    with the moderator's reason."""
    url = world.track["taken_down"].get_absolute_url()
    page = client_for(world, "owner").get(url).content.decode()
    assert "This track has been taken down: Copyright claim (matrix)." in page


def test_every_url_has_a_rule():
    """A new URL without a rule fails here; a rule for a URL that is gone does too."""
    missing = sorted(p.key for p in SITE if p.key not in RULES)
    assert not missing, (
        "These URLs have no rule in tests/security/test_permission_matrix.py RULES. Add one "
        f"saying what each role gets (GET, and POST if it changes anything): {missing}"
    )
    stale = sorted(set(RULES) - {p.key for p in SITE})
    assert not stale, f"Rules for URLs that no longer exist: {stale}"


# --- The admin: staff only ---------------------------------------------------------------------


def _admin_expected(pattern, role):
    # /admin/login/ is backstage.signin.admin_login (it shadows Django's admin:login): the admin
    # signs in through allauth; a signed-in member without staff rights is told so (403).
    if pattern.key in ("admin_login", "admin:login"):
        return {"anonymous": LOGIN, "admin": 302}.get(role, 403)
    if pattern.key == "admin:logout" and role != "admin":
        return 302
    if role == "admin":
        return None  # checked below: 200 or 302, never back to the login page
    return ADMIN_LOGIN


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["anonymous", "fan", "admin"])
@pytest.mark.parametrize("pattern", ADMIN, ids=lambda p: p.key)
def test_admin_is_for_staff_only(world, pattern, role):
    url = admin_path(pattern)
    response = client_for(world, role).get(url)
    wanted = _admin_expected(pattern, role)
    if wanted is not None:
        check(response, wanted, f"GET {url} as {role}")
        return
    allowed = {200, 302}
    if pattern.key in ("admin:logout", "admin:payments_payout_run"):
        allowed = {405}  # POST only
    elif pattern.key.startswith("path:admin/(?P<url>"):
        allowed = {404}
    elif pattern.key == "admin:autocomplete":
        allowed = {403}  # without the field it completes, Django refuses
    elif pattern.key.endswith(("_add", "_delete")) and not _admin_may(pattern, url):
        allowed = {403}  # read-only in the admin: the ledger, payments, the audit log…
    assert response.status_code in allowed, f"GET {url} as admin: {response.status_code}"
    assert not response.get("Location", "").startswith(reverse("admin:login"))


def _admin_may(pattern, url) -> bool:
    """Whether the model's admin grants the add / delete permission to a superuser."""
    from django.contrib import admin
    from django.test import RequestFactory

    from .urlwalk import model_of

    model_admin = admin.site._registry[model_of(pattern)]
    fake = RequestFactory().get(url)
    fake.user = type(
        "Superuser",
        (),
        {"is_active": True, "is_staff": True, "is_superuser": True, "has_perm": lambda *a: True},
    )()
    if pattern.key.endswith("_add"):
        return model_admin.has_add_permission(fake)
    return model_admin.has_delete_permission(fake)
