"""The Content Security Policy is sent with every page, and no page needs it relaxed: no inline
script, no event-handler attributes, no javascript: links (settings.SECURE_CSP)."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from playlists import services as playlists
from radio.models import TimedComment
from tests.factories import ReleaseFactory, TrackFactory


class InlineScriptFinder(HTMLParser):
    """Everything on a page that a strict CSP would block (or that only works with
    'unsafe-inline'): <script> elements without src, on*= attributes, javascript: URLs."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and not attrs.get("src"):
            self.found.append(f"inline <script> ({self.getpos()})")
        for name, value in attrs.items():
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=…> ({self.getpos()})")
            if name in ("href", "src", "action", "formaction") and (
                value or ""
            ).strip().lower().startswith("javascript:"):
                self.found.append(f"<{tag} {name}=javascript:…> ({self.getpos()})")


def blocked_by_csp(html: str) -> list[str]:
    finder = InlineScriptFinder()
    finder.feed(html)
    return finder.found


def directives(header: str) -> dict[str, list[str]]:
    parsed = {}
    for part in header.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


@pytest.fixture
def world(artist, fan):
    """A little of everything: a release with a track, a public playlist, a timed comment."""
    release = ReleaseFactory(artist=artist, title="Night Songs")
    track = TrackFactory(artist=artist, release=release, title="Lantern")
    playlist = playlists.create_playlist(owner=fan, title="Road trip", visibility="public")
    playlists.add_tracks(playlist=playlist, tracks=[track], by=fan)
    TimedComment.objects.create(track=track, author=fan, at_seconds=1.0, body="Lovely bridge")
    return {"release": release, "track": track, "playlist": playlist}


PAGES = {
    "home": lambda w: reverse("home"),
    "artist": lambda w: reverse("artists:detail", kwargs={"slug": "mira-sol"}),
    "track": lambda w: w["track"].get_absolute_url(),
    "release": lambda w: w["release"].get_absolute_url(),
    "playlist": lambda w: w["playlist"].get_absolute_url(),
    "search": lambda w: reverse("search") + "?q=Lantern",
    "radio": lambda w: reverse("radio:home"),
    "collab": lambda w: reverse("collab:board"),
    "messages": lambda w: reverse("messaging:inbox"),
    "studio": lambda w: reverse("artists:studio"),
    "earnings": lambda w: reverse("payments:earnings"),
    "notifications": lambda w: reverse("notifications:inbox"),
    "library": lambda w: reverse("playlists:library"),
}


@pytest.mark.parametrize("page", PAGES)
def test_every_app_s_page_carries_the_policy_and_nothing_it_would_block(artist_client, world, page):
    response = artist_client.get(PAGES[page](world))

    assert response.status_code == 200
    policy = directives(response["Content-Security-Policy"])
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"][0] == "'self'"
    assert blocked_by_csp(response.text) == []


@pytest.mark.parametrize(
    "name", ["account_login", "account_signup", "account_reset_password", "home"]
)
def test_pages_for_visitors_carry_the_policy_and_nothing_it_would_block(client, db, name):
    response = client.get(reverse(name))

    assert response.status_code == 200
    assert directives(response["Content-Security-Policy"])["script-src"] == ["'self'"]
    assert blocked_by_csp(response.text) == []


def test_the_finder_sees_what_the_policy_would_block():
    """The check above can fail: it finds each kind of thing the policy blocks."""
    html = (
        '<script>alert(1)</script><script src="/static/ok.js"></script>'
        '<button onclick="go()">Go</button><a href="javascript:go()">go</a>'
    )

    assert len(blocked_by_csp(html)) == 3


def test_the_embeddable_player_may_be_framed_but_keeps_the_rest_of_the_policy(client, world):
    response = client.get(reverse("embed:track", kwargs={"public_id": world["track"].public_id}))

    assert response.status_code == 200
    policy = directives(response["Content-Security-Policy"])
    assert policy["frame-ancestors"] == ["*"]
    assert policy["script-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert blocked_by_csp(response.text) == []
