"""GET /oembed fed generated url, maxwidth, maxheight and format parameters.

Every answer is a 4xx (400 bad parameter, 401 private, 404 not ours or not shareable), a 501
for another format, or a valid oEmbed 1.0 JSON document whose only markup is one iframe on our
own host, within maxwidth × maxheight, for an item anyone may see.
"""

from html.parser import HTMLParser
from urllib.parse import quote, urlsplit

import pytest
from django.utils import timezone
from hypothesis import event, example, given
from hypothesis import strategies as st

from playlists import oembed as provider
from playlists.sharing import is_shareable
from tests.factories import ArtistFactory, ReleaseFactory, TrackFactory, UserFactory
from tests.playlists.sharing_cast import playlist_with, put_in_state
from tracks.models import Track

from .profiles import fuzz

pytestmark = pytest.mark.django_db

HOST = "music.example"
HOSTS = [
    f"https://{HOST}",
    f"http://{HOST}",
    f"https://{HOST.upper()}",
    f"https://{HOST}:443",
    "https://evil.example",
    f"https://{HOST}@evil.example",
    f"https://evil.example/{HOST}",
    f"//{HOST}",
    f"javascript:alert(1)//{HOST}",
    f"data:text/html,{HOST}",
    f"https://{HOST}.evil.example",
    "https://[::1",
    "",
]
HOSTILE_PATHS = [
    "/track/%00/",
    "/track/ab\x00cd/",
    "/@%00/",
    "/embed/playlist/%ff%fe",
    "/track/" + "9" * 3000 + "/",
    "/../../etc/passwd",
    "/release/🎵/",
    "/oembed",
    "/track/x/<script>/",
]
DIMENSIONS = st.one_of(
    st.none(),
    st.integers(-(10**6), 10**6).map(str),
    st.sampled_from(["9" * 5000, "١٢٠", "1e3", "0x40", " 300 ", "+200", "", "NaN"]),
    st.text(max_size=8),
)


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = f"https://{HOST}"


@pytest.fixture
def paths(db) -> list[str]:
    """Pages (and embeds) of items in every state, with hostile names."""
    artist = ArtistFactory(name='<script>alert("a")</script>', slug="hostile")
    suspended = ArtistFactory(slug="gone")
    suspended.user.suspended_at = timezone.now()
    suspended.user.save()
    items = [artist, suspended]
    for state in ("public", "unlisted", "private", "taken_down"):
        items.append(put_in_state(TrackFactory(artist=artist, title=f'"{state}" <b>'), state))
        release = ReleaseFactory(artist=artist, title=f"{state} & <i>")
        TrackFactory(artist=artist, release=release, position=1)
        items.append(put_in_state(release, state))
    items.append(TrackFactory(artist=artist, status=Track.Status.PROCESSING, renditions=False))
    items.append(TrackFactory(artist=suspended))
    owner = UserFactory()
    for visibility in ("public", "private"):
        items.append(playlist_with(owner=owner, tracks=[items[2]], visibility=visibility))
    found = []
    for item in items:
        found.append(item.get_absolute_url())
        kind = type(item).__name__.lower()
        key = item.slug if kind == "artist" else item.public_id
        found.append(f"/embed/{kind}/{key}")
    return found


class Markup(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


@st.composite
def urls(draw, paths: list[str]) -> str:
    host = draw(st.just(f"https://{HOST}") | st.sampled_from(HOSTS))
    path = draw(
        st.one_of(
            st.sampled_from(paths),
            st.sampled_from(paths).map(lambda p: p.rstrip("/")),
            st.sampled_from(paths).map(lambda p: quote(p, safe="")),
            st.sampled_from(HOSTILE_PATHS),
            st.text(max_size=30).map(lambda t: "/" + t),
        )
    )
    tail = draw(st.sampled_from(["", "?a=1", "#x", "?url=https://evil.example", " "]))
    return draw(st.just(host + path + tail) | st.just(host + path) | st.text(max_size=40))


@fuzz(examples=120)
@given(data=st.data())
@example(data=None)  # the paths known to have made a 500, in examples_that_once_failed below
def test_every_answer_is_an_error_or_a_safe_oembed_document(data, client, paths):
    cases = EXAMPLES_THAT_ONCE_FAILED if data is None else [data.draw(requests(paths))]
    for params in cases:
        check_answer(client, params)


def requests(paths):
    return st.fixed_dictionaries(
        {"url": urls(paths)},
        optional={
            "maxwidth": DIMENSIONS,
            "maxheight": DIMENSIONS,
            "format": st.just("json") | st.just("json") | st.sampled_from(["xml", "JSON", "jsonp"]),
        },
    )


EXAMPLES_THAT_ONCE_FAILED = [
    {"url": f"https://{HOST}/track/%00/"},  # was: NUL reached the database, a 500
    {"url": f"https://{HOST}/@ab\x00/"},
    {"url": f"https://{HOST}/embed/release/%00"},
    {"url": f"https://{HOST}/track/x/", "maxwidth": "9" * 5000},  # was: Python's message
    {"url": f"https://{HOST}/@hostile/", "maxwidth": "9" * 5000, "maxheight": "0" * 20 + "90"},
    {"url": f"https://{HOST}/@hostile/", "maxwidth": "0" * 20 + "90"},
]


def check_answer(client, params: dict) -> None:
    params = {k: v for k, v in params.items() if v is not None}
    response = client.get("/oembed", params)
    status = response.status_code
    assert status in (200, 400, 401, 404, 501), response.content[:300]
    event(f"status {status}")
    if status == 501:
        assert params.get("format") not in (None, "json")
        return
    if status != 200:
        message = response.json()["error"]
        assert message.strip() and "sys.set_int_max_str_digits" not in message
        return
    body = response.content.decode()
    assert "<" not in body and ">" not in body  # markup only as \\u003c escapes
    document = response.json()
    assert document["version"] == "1.0" and document["type"] == "rich"
    markup = Markup()
    markup.feed(document["html"])
    assert [tag for tag, _ in markup.tags] == ["iframe"]
    src = urlsplit(markup.tags[0][1]["src"])
    assert (src.scheme, src.netloc) == ("https", HOST)
    for name, limit in (("width", "maxwidth"), ("height", "maxheight")):
        value = params.get(limit, "").strip().lstrip("0")
        if value and len(value) <= 9:  # (longer: no limit, and too long for int())
            assert document[name] <= int(value)
    item = provider.find_item(params["url"])  # the item the answer is about
    assert is_shareable(item)
