"""The oEmbed 1.0 provider, checked by hand and through micawber, a real oEmbed consumer."""

import json
from io import BytesIO

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from PIL import Image

from tests.factories import TrackFactory
from tests.playlists.sharing_cast import playlist_with

pytestmark = pytest.mark.django_db

KINDS = ["track", "release", "playlist"]


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = "https://music.example"


def page_url(item) -> str:
    return "https://music.example" + item.get_absolute_url()


def oembed(client, url: str, **params):
    return client.get(reverse("embed:oembed"), {"url": url, **params})


@pytest.mark.parametrize("kind", KINDS)
def test_public_items_answer_a_complete_rich_response(client, make_item, kind):
    item = make_item(kind)
    response = oembed(client, page_url(item), format="json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    data = response.json()
    assert data["version"] == "1.0"
    assert data["type"] == "rich"
    assert data["title"] == item.title
    assert data["provider_name"] == "Backstage"
    assert data["provider_url"] == "https://music.example/"
    assert data["author_name"]
    assert isinstance(data["cache_age"], int) and data["cache_age"] > 0
    assert data["width"] == 560 and data["height"] == (160 if kind == "track" else 420)
    src = f'src="https://music.example/embed/{kind}/{item.public_id}"'
    assert data["html"].startswith("<iframe ") and src in data["html"]
    assert f'width="{data["width"]}" height="{data["height"]}"' in data["html"]
    assert not {"thumbnail_url", "thumbnail_width", "thumbnail_height"} & data.keys()


def test_artists_answer_by_their_page_address(client, artist):
    TrackFactory(artist=artist)
    data = oembed(client, "https://music.example/@mira-sol/").json()
    assert data["title"] == "Mira Sol"
    assert 'src="https://music.example/embed/artist/mira-sol"' in data["html"]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    ("state", "status"), [("unlisted", 200), ("private", 401), ("taken_down", 404)]
)
def test_permissions(client, make_item, kind, state, status):
    item = make_item(kind, state)
    assert oembed(client, page_url(item)).status_code == status


def test_suspended_artists_and_their_music_are_not_found(client, make_item):
    track = make_item("track")
    artist = make_item("artist", "taken_down")  # suspends the artist
    assert oembed(client, "https://music.example/@mira-sol/").status_code == 404
    assert oembed(client, page_url(track)).status_code == 404
    assert artist.is_suspended


def test_a_private_track_of_a_signed_in_owner_is_still_401(client, make_item, artist):
    track = make_item("track", "private")
    client.force_login(artist.user)
    assert oembed(client, page_url(track)).status_code == 401


def test_short_urls_and_embed_urls_are_understood(client, make_item):
    track = make_item("track")
    for url in (
        f"https://music.example/track/{track.public_id}/",
        f"https://music.example/track/{track.public_id}",
        f"https://music.example/embed/track/{track.public_id}?theme=dark",
        f"http://music.example{track.get_absolute_url()}",
    ):
        assert oembed(client, url).status_code == 200, url


@pytest.mark.parametrize("kind", KINDS)
def test_the_short_address_of_every_kind_is_understood(client, make_item, kind):
    item = make_item(kind)
    url = f"https://music.example/{kind}/{item.public_id}/"  # what the share menu's link omits
    assert oembed(client, url).status_code == 200
    assert oembed(client, url.rstrip("/")).status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example/track/{id}/x/",
        "https://music.example.evil.example/track/{id}/x/",
        "https://user@music.example/track/{id}/x/",
        "ftp://music.example/track/{id}/x/",
        "javascript:alert(1)//music.example/track/{id}/x/",
        "https://music.example/track/nope/x/",
        "https://music.example/",
        "https://music.example/accounts/login/",
        "https://music.example/track/{id}/play",
        "http://[::1",
        "not a url at all",
        "https://music.example/%ZZ",
    ],
)
def test_foreign_unknown_and_malformed_urls_are_not_found(client, make_item, url):
    track = make_item("track")
    response = oembed(client, url.format(id=track.public_id))
    assert response.status_code == 404
    assert response.json()["error"]


def test_a_repeated_url_parameter_is_read_once_the_last_wins(client, make_item):
    track = make_item("track")
    query = f"url=https://evil.example/x&url={page_url(track)}"
    assert client.get(reverse("embed:oembed") + "?" + query).status_code == 200
    query = f"url={page_url(track)}&url=https://evil.example/x"
    assert client.get(reverse("embed:oembed") + "?" + query).status_code == 404


def test_a_missing_or_huge_url_is_a_bad_request(client, db):
    assert client.get(reverse("embed:oembed")).status_code == 400
    assert oembed(client, "https://music.example/" + "a" * 5000).status_code == 400


@pytest.mark.parametrize("fmt", ["xml", "XML", "yaml", ""])
def test_formats_other_than_json_are_501(client, make_item, fmt):
    track = make_item("track")
    assert oembed(client, page_url(track), format=fmt).status_code == 501


@pytest.mark.parametrize(
    ("maxwidth", "maxheight", "width", "height"),
    [
        ("300", "", 300, 420),
        ("", "200", 560, 200),
        ("10000000", "99999999999999999999999", 560, 420),
        ("320", "100", 320, 80),
        ("100", "40", 100, 40),
    ],
)
def test_maxwidth_and_maxheight_are_never_exceeded(
    client, make_item, maxwidth, maxheight, width, height
):
    playlist = make_item("playlist")
    data = oembed(client, page_url(playlist), maxwidth=maxwidth, maxheight=maxheight).json()
    assert (data["width"], data["height"]) == (width, height)
    assert f'width="{width}" height="{height}"' in data["html"]
    assert ("size=compact" in data["html"]) == (height < 140)


@pytest.mark.parametrize("value", ["abc", "-5", "0", "1.5", "²", "1e9", " "])
def test_dimensions_that_are_not_positive_whole_numbers_are_400(client, make_item, value):
    track = make_item("track")
    response = oembed(client, page_url(track), maxwidth=value)
    if value.strip():
        assert response.status_code == 400
        assert "maxwidth" in response.json()["error"]
    else:
        assert response.status_code == 200


def test_the_thumbnail_comes_as_a_triple(client, artist):
    picture = BytesIO()
    Image.new("RGB", (300, 200), "teal").save(picture, "JPEG")
    track = TrackFactory(artist=artist, cover=ContentFile(picture.getvalue(), name="c.jpg"))
    data = oembed(client, page_url(track)).json()
    assert data["thumbnail_url"].startswith("https://music.example/media/")
    assert (data["thumbnail_width"], data["thumbnail_height"]) == (300, 200)


@pytest.mark.parametrize(
    ("maxwidth", "maxheight", "has_thumbnail"),
    [("300", "200", True), ("299", "", False), ("", "199", False), ("1000", "1000", True)],
)
def test_the_thumbnail_respects_maxwidth_and_maxheight(
    client, artist, maxwidth, maxheight, has_thumbnail
):
    picture = BytesIO()
    Image.new("RGB", (300, 200), "teal").save(picture, "JPEG")
    track = TrackFactory(artist=artist, cover=ContentFile(picture.getvalue(), name="c.jpg"))
    data = oembed(client, page_url(track), maxwidth=maxwidth, maxheight=maxheight).json()
    thumbnail = {"thumbnail_url", "thumbnail_width", "thumbnail_height"} & data.keys()
    assert len(thumbnail) == (3 if has_thumbnail else 0)


def test_hostile_names_are_escaped_inside_the_html(client, artist, fan):
    evil = '"><script>alert(1)</script>'
    fan.display_name = evil
    fan.save()
    playlist = playlist_with(
        owner=fan, tracks=[TrackFactory(artist=artist)], title=evil, description=evil
    )
    response = oembed(client, page_url(playlist))
    data = response.json()
    assert data["title"] == evil and data["author_name"] == evil  # JSON strings, not markup
    assert "<script>" not in data["html"]
    assert "&quot;&gt;&lt;script&gt;" in data["html"]
    assert "<script>" not in response.content.decode()  # JsonResponse escapes < as \u003c
    assert json.loads(response.content)["title"] == evil


def test_micawber_gets_rich_html_for_our_pages(live_server, settings, make_item):
    """A real consumer: micawber asks our endpoint over HTTP and embeds the answer."""
    import micawber

    settings.SITE_URL = live_server.url
    track, release, playlist = (make_item(kind) for kind in KINDS)
    providers = micawber.ProviderRegistry()
    providers.register(
        rf"^{live_server.url}/(track|release|playlist|@)\S+",
        micawber.Provider(f"{live_server.url}/oembed"),
    )
    for item, kind in ((track, "track"), (release, "release"), (playlist, "playlist")):
        url = live_server.url + item.get_absolute_url()
        data = providers.request(url, maxwidth=400)
        assert data["type"] == "rich" and data["version"] == "1.0"
        assert data["width"] <= 400
        html = micawber.parse_text(f"Listen:\n{url}\n", providers)
        assert f'src="{live_server.url}/embed/{kind}/{item.public_id}"' in html

    private = make_item("track", "private")
    with pytest.raises(micawber.ProviderException):
        providers.request(live_server.url + private.get_absolute_url())
