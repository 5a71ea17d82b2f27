"""Share menus, embed code, social links and the cards a pasted link unfolds into."""

import datetime
import re
from html import unescape
from io import BytesIO
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.base import ContentFile
from django.template import Context, Template
from django.urls import reverse
from PIL import Image

from playlists import sharing
from tests.factories import TrackFactory
from tests.playlists.sharing_cast import playlist_with, put_in_state

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = "https://music.example"


def meta(html: str) -> dict[str, list[str]]:
    """{property or name: [content, ...]} of a page's <meta> tags, unescaped."""
    found: dict[str, list[str]] = {}
    for key, value in re.findall(r'<meta (?:property|name)="([^"]+)" content="([^"]*)">', html):
        found.setdefault(key, []).append(unescape(value))
    return found


def page(client, item) -> str:
    response = client.get(item.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


# --- Helpers, for playlists (whose page another branch builds) ---------------------------------


def test_a_playlists_share_data_is_absolute_and_complete(artist, fan):
    fan.display_name = "Ana"
    fan.save()
    playlist = playlist_with(owner=fan, tracks=[TrackFactory(artist=artist)], title="Road Trip")
    share = sharing.share_of(playlist)
    assert share.kind == "playlist"
    assert share.page_url == "https://music.example" + playlist.get_absolute_url()
    assert share.embed_url == f"https://music.example/embed/playlist/{playlist.public_id}"
    assert share.title_by == "Road Trip by Ana"
    code = sharing.iframe_code(share, theme="dark", size="compact")
    assert f'src="{share.embed_url}?theme=dark&amp;size=compact"' in code
    assert 'height="80"' in code and 'title="Road Trip by Ana — Backstage player"' in code


def test_a_coverless_playlist_is_pictured_by_its_first_audible_tracks_cover(client, artist, fan):
    picture = BytesIO()
    Image.new("RGB", (64, 64), "teal").save(picture, "JPEG")
    hidden = TrackFactory(artist=artist, cover=ContentFile(picture.getvalue(), name="h.jpg"))
    bare = TrackFactory(artist=artist)
    covered = TrackFactory(artist=artist, cover=ContentFile(picture.getvalue(), name="c.jpg"))
    playlist = playlist_with(owner=fan, tracks=[hidden, bare, covered])
    put_in_state(hidden, "private")
    share = sharing.share_of(playlist)
    assert share.image_url == "https://music.example" + covered.cover.url
    html = client.get(playlist.get_absolute_url()).content.decode()
    assert f'<meta property="og:image" content="{share.image_url}">' in html
    embed = client.get(reverse("embed:playlist", args=[playlist.public_id])).content.decode()
    assert covered.cover.url in embed


def test_start_time_is_only_for_tracks(make_item):
    track, playlist = make_item("track"), make_item("playlist")
    assert "t=90" in sharing.embed_src(sharing.share_of(track), start=90)
    assert "t=" not in sharing.embed_src(sharing.share_of(playlist), start=90)


def test_social_links_carry_the_page_address(make_item):
    share = sharing.share_of(make_item("playlist"))
    links = dict(sharing.social_links(share))
    assert set(links) == {"X", "Facebook", "Reddit", "Bluesky", "Mastodon", "WhatsApp", "E-mail"}
    for name, url in links.items():
        params = parse_qs(urlsplit(url).query)
        assert any(share.page_url in value for values in params.values() for value in values), name


@pytest.mark.parametrize("state", ["private", "taken_down"])
def test_private_and_taken_down_playlists_have_no_menu_and_no_cards(make_item, state):
    playlist = make_item("playlist", state)
    rendered = Template("{% load sharing %}{% share_menu p %}|{% share_meta p %}").render(
        Context({"p": playlist})
    )
    assert rendered.strip(" \n|") == ""


def test_the_playlist_tags_the_lead_drops_in_render_cards_and_menu(make_item):
    playlist = make_item("playlist")
    rendered = Template("{% load sharing %}{% share_meta p %}{% share_menu p %}").render(
        Context({"p": playlist})
    )
    tags = meta(rendered)
    assert tags["og:type"] == ["music.playlist"]
    assert tags["music:song"] == [
        "https://music.example" + playlist.items.get().track.get_absolute_url()
    ]
    assert tags["og:video"] == [f"https://music.example/embed/playlist/{playlist.public_id}"]
    assert 'type="application/json+oembed"' in rendered
    assert "Copy embed code" in rendered


def test_hostile_playlist_names_are_escaped_in_cards_and_menu(artist, fan):
    evil = '"><script>alert(1)</script>'
    fan.display_name = evil
    fan.save()
    playlist = playlist_with(
        owner=fan, tracks=[TrackFactory(artist=artist)], title=evil, description=evil
    )
    rendered = Template("{% load sharing %}{% share_meta p %}{% share_menu p %}").render(
        Context({"p": playlist})
    )
    assert "<script>" not in rendered
    assert meta(rendered)["og:title"] == [f"{evil} by {evil}"]
    assert meta(rendered)["og:description"] == [evil]


# --- Track, release and artist pages -----------------------------------------------------------


def test_a_track_page_carries_a_playable_card(client, make_item):
    track = make_item("track")
    tags = meta(page(client, track))
    assert tags["og:type"] == ["music.song"]
    assert tags["og:title"] == ["Night Swim by Mira Sol"]
    assert tags["og:url"] == ["https://music.example" + track.get_absolute_url()]
    assert tags["og:audio"] == [f"https://music.example/track/{track.public_id}/audio.mp3"]
    assert tags["og:audio:type"] == ["audio/mpeg"]
    assert tags["music:duration"] == ["4"]
    assert tags["music:musician"] == ["https://music.example/@mira-sol/"]
    embed = f"https://music.example/embed/track/{track.public_id}"
    assert tags["og:video"] == [embed] and tags["twitter:player"] == [embed]
    assert tags["twitter:card"] == ["player"]
    assert tags["twitter:player:width"] == ["560"] and tags["twitter:player:height"] == ["160"]


def test_a_release_page_lists_its_songs(client, make_item, artist):
    release = make_item("release")
    TrackFactory(artist=artist, release=release, position=2, title="Riptide")
    TrackFactory(artist=artist, release=release, position=3, visibility="private")
    tags = meta(page(client, release))
    assert tags["og:type"] == ["music.album"]
    assert len(tags["music:song"]) == 2
    assert tags["music:song:track"] == ["1", "2"]


def test_a_song_card_names_its_public_album_and_an_album_card_its_date(client, make_item, artist):
    release = make_item("release")
    release.release_date = datetime.date(2026, 5, 1)
    release.save()
    TrackFactory(artist=artist, release=release, position=1, visibility="private")
    song = TrackFactory(artist=artist, release=release, position=2, title="Riptide")
    tags = meta(page(client, song))
    assert tags["music:album"] == ["https://music.example" + release.get_absolute_url()]
    assert tags["music:album:track"] == [meta(page(client, release))["music:song:track"][-1]]
    assert meta(page(client, release))["music:release_date"] == ["2026-05-01"]
    put_in_state(release, "unlisted")  # its address must not travel on a public song's card
    assert "music:album" not in meta(page(client, song))


def test_an_artist_page_is_a_profile_card(client, make_item):
    artist = make_item("artist")
    tags = meta(page(client, artist))
    assert tags["og:type"] == ["profile"]
    assert tags["og:title"] == ["Mira Sol"]
    assert tags["og:video"] == ["https://music.example/embed/artist/mira-sol"]


@pytest.mark.parametrize("kind", ["track", "release", "artist"])
def test_shareable_pages_have_a_menu_and_oembed_discovery(client, make_item, kind):
    item = make_item(kind)
    html = page(client, item)
    assert '<details class="share-menu"' in html
    assert "Copy link" in html and "Copy embed code" in html
    link = re.search(r'<link rel="alternate" type="application/json\+oembed" href="([^"]+)"', html)
    assert link
    discovered = client.get(unescape(link.group(1)).removeprefix("https://music.example"))
    assert discovered.status_code == 200 and discovered.json()["type"] == "rich"


@pytest.mark.parametrize("kind", ["track", "release"])
def test_unlisted_items_are_shareable_but_private_ones_not_even_by_their_owner(
    client, make_item, artist, kind
):
    assert "share-menu" in page(client, make_item(kind, "unlisted"))
    private = make_item(kind, "private")
    client.force_login(artist.user)
    html = page(client, private)
    assert "share-menu" not in html and "og:" not in html and "json+oembed" not in html


@pytest.mark.parametrize("kind", ["track", "release", "playlist"])
def test_unlisted_pages_ask_search_engines_not_to_index_them(client, make_item, artist, kind):
    noindex = '<meta name="robots" content="noindex">'
    assert noindex not in page(client, make_item(kind))
    assert noindex in page(client, make_item(kind, "unlisted"))


def test_a_taken_down_release_seen_by_its_owner_has_no_share_menu(client, make_item, artist):
    release = make_item("release", "taken_down")
    client.force_login(artist.user)
    assert "share-menu" not in page(client, release)


def test_the_track_menu_offers_a_start_time_and_themes(client, make_item):
    html = page(client, make_item("track"))
    assert 'data-embed-option="t"' in html and 'max="4"' in html
    assert '<option value="dark">Dark</option>' in html


def test_hostile_track_titles_are_escaped_in_cards(client, artist):
    evil = '"><script>alert(1)</script>'
    track = TrackFactory(artist=artist, title=evil)
    html = page(client, track)
    assert "<script>alert" not in html
    assert meta(html)["og:title"] == [f"{evil} by Mira Sol"]


def test_a_cached_track_page_keeps_its_cards(client, make_item):
    track = make_item("track")
    first = page(client, track)
    response = client.get(track.get_absolute_url())
    assert response["X-Page-Cache"] == "hit"
    assert meta(response.content.decode()) == meta(first)


def test_og_audio_url_is_reachable_from_the_card(client, make_item):
    track = make_item("track")
    audio = meta(page(client, track))["og:audio"][0].removeprefix("https://music.example")
    assert audio == reverse("embed:track_audio", args=[track.public_id])
    assert client.get(audio).status_code == 302
