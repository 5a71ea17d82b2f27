"""The embeddable players: who may embed what, what other sites may frame, and how fast."""

import pytest
from django.urls import reverse

from analytics.models import Source, StreamStart
from playlists import embed
from tests.factories import ArtistFactory, TrackFactory
from tests.playlists.sharing_cast import playlist_with
from tracks.models import Visibility

pytestmark = pytest.mark.django_db

EMBEDDABLE = {"public", "unlisted"}


def embed_url(item, kind: str, **query) -> str:
    key = item.slug if kind == "artist" else item.public_id
    url = reverse(f"embed:{kind}", args=[key])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


@pytest.mark.parametrize("kind", ["track", "release", "playlist"])
@pytest.mark.parametrize("state", ["public", "unlisted", "private", "taken_down"])
def test_only_public_and_unlisted_items_embed(client, make_item, kind, state):
    item = make_item(kind, state)
    response = client.get(embed_url(item, kind))
    assert response.status_code == (200 if state in EMBEDDABLE else 404)
    if state in EMBEDDABLE:
        assert item.title in response.content.decode()


@pytest.mark.parametrize("state", ["public", "taken_down"])
def test_suspended_artists_never_embed(client, make_item, state):
    artist = make_item("artist", state)
    response = client.get(embed_url(artist, "artist"))
    assert response.status_code == (200 if state == "public" else 404)


@pytest.mark.parametrize("kind", ["track", "release", "playlist"])
def test_owners_cannot_embed_their_private_items_either(client, make_item, kind, artist, fan):
    item = make_item(kind, "private")
    client.force_login(fan if kind == "playlist" else artist.user)
    assert client.get(embed_url(item, kind)).status_code == 404


def test_unknown_ids_are_404_with_a_page_the_frame_may_show(client, db):
    for kind in ("track", "release", "playlist", "artist"):
        response = client.get(reverse(f"embed:{kind}", args=["nope"]) + "?theme=dark")
        assert response.status_code == 404
        assert "This music is not available." in response.content.decode()
        assert 'class="theme-dark"' in response.content.decode()
        assert "frame-ancestors *" in response["Content-Security-Policy"]
        assert "X-Frame-Options" not in response


def test_embeds_answer_only_get(client, make_item):
    track = make_item("track")
    assert client.post(embed_url(track, "track")).status_code == 405


def test_head_requests_get_the_embed_headers_like_get(client, make_item, settings):
    """Link checkers and CMSs probe with HEAD: a 405 carrying `frame-ancestors 'none'` and
    DENY would tell them the player cannot be framed."""
    settings.SITE_URL = "https://music.example"
    track = make_item("track")
    response = client.head(embed_url(track, "track"))
    assert response.status_code == 200
    assert "frame-ancestors *" in response["Content-Security-Policy"]
    assert "X-Frame-Options" not in response
    oembed_url = reverse("embed:oembed") + "?url=https://music.example" + track.get_absolute_url()
    assert client.head(oembed_url).status_code == 200


def test_a_public_playlist_embed_leaves_out_tracks_listeners_may_not_hear(client, artist, fan):
    heard = TrackFactory(artist=artist, title="Heard")
    hidden = TrackFactory(artist=artist, title="Hidden")
    unlisted = TrackFactory(artist=artist, title="By Link", visibility=Visibility.UNLISTED)
    playlist = playlist_with(owner=fan, tracks=[heard, hidden, unlisted])
    hidden.visibility = Visibility.PRIVATE
    hidden.save()
    page = client.get(embed_url(playlist, "playlist")).content.decode()
    assert "Heard" in page and "By Link" in page
    assert "Hidden" not in page


def test_the_artist_embed_lists_only_their_public_music(client, artist):
    TrackFactory(artist=artist, title="Out There")
    TrackFactory(artist=artist, title="Secret Demo", visibility=Visibility.PRIVATE)
    TrackFactory(artist=artist, title="For Friends", visibility=Visibility.UNLISTED)
    page = client.get(embed_url(artist, "artist")).content.decode()
    assert "Out There" in page
    assert "Secret Demo" not in page and "For Friends" not in page


def test_embed_pages_may_be_framed_anywhere_and_other_pages_nowhere(client, make_item):
    track = make_item("track")
    for attempt in ("cold", "warm"):  # the second answer comes from the page cache
        embed = client.get(embed_url(track, "track"))
        assert ("X-Page-Cache" in embed) == (attempt == "warm")
        assert "frame-ancestors *" in embed["Content-Security-Policy"]
        assert "script-src 'self'" in embed["Content-Security-Policy"]
        assert "X-Frame-Options" not in embed
        page = client.get(track.get_absolute_url())
        assert ("X-Page-Cache" in page) == (attempt == "warm")
        assert "frame-ancestors 'none'" in page["Content-Security-Policy"]
        assert page["X-Frame-Options"] == "DENY"


def test_themes_size_and_start_time_reach_the_page(client, make_item):
    track = make_item("track")
    page = client.get(embed_url(track, "track", theme="dark", size="compact", t="75"))
    html = page.content.decode()
    assert 'class="theme-dark compact"' in html
    assert 'data-start="75"' in html


@pytest.mark.parametrize(
    "query", ["theme=%3Cscript%3E", "t=-5", "t=abc", "t=99999999999999999999", "size=huge"]
)
def test_odd_options_fall_back_to_defaults(client, make_item, query):
    track = make_item("track")
    html = client.get(embed_url(track, "track") + "?" + query).content.decode()
    assert 'class="theme-light"' in html
    assert "<script>" not in html
    start = int(html.split('data-start="')[1].split('"')[0])
    assert 0 <= start <= 24 * 3600


def test_titles_and_names_are_escaped(client, artist):
    evil = '<img src=x onerror="alert(1)">'
    fan = ArtistFactory(name=evil).user
    fan.display_name = evil
    fan.save()
    track = TrackFactory(artist=artist, title=evil)
    playlist = playlist_with(owner=fan, tracks=[track], title=evil, description=evil)
    for url in (embed_url(playlist, "playlist"), embed_url(track, "track")):
        html = client.get(url).content.decode()
        assert evil not in html
        assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html


def test_the_embedding_site_is_passed_to_the_player(client, make_item):
    track = make_item("track")
    html = client.get(embed_url(track, "track"), HTTP_REFERER="https://blog.example:8443/post/1")
    assert 'data-origin="https://blog.example:8443"' in html.content.decode()
    other = client.get(embed_url(track, "track"), HTTP_REFERER="https://other.example/x")
    assert 'data-origin="https://other.example"' in other.content.decode()
    hostile = client.get(embed_url(track, "track"), HTTP_REFERER='javascript:alert("x")')
    assert 'data-origin=""' in hostile.content.decode()


def test_a_play_from_an_embed_is_recorded_with_its_origin(client, make_item):
    playlist = make_item("playlist")
    track = playlist.items.get().track
    url = reverse("tracks:track_play", args=[track.public_id])
    response = client.get(
        url,
        {
            "source": "embed",
            "origin": "https://blog.example/post",
            "context": playlist.public_id,
            "start": "1",
        },
    )
    assert response.status_code == 200
    start = StreamStart.objects.get()
    assert (start.source, start.origin, start.context) == (
        Source.EMBED,
        "https://blog.example",
        playlist.public_id,
    )


def test_a_playlist_edit_shows_in_its_cached_embed_at_once(client, fan, artist):
    from playlists import services

    playlist = playlist_with(owner=fan, tracks=[TrackFactory(artist=artist)], title="Before")
    client.get(embed_url(playlist, "playlist"))
    assert client.get(embed_url(playlist, "playlist"))["X-Page-Cache"] == "hit"
    services.update_playlist(playlist=playlist, title="After")
    assert "After" in client.get(embed_url(playlist, "playlist")).content.decode()
    services.update_playlist(playlist=playlist, visibility=Visibility.PRIVATE)
    assert client.get(embed_url(playlist, "playlist")).status_code == 404


@pytest.mark.parametrize("kind", ["release", "playlist", "artist"])
def test_embed_queries_do_not_grow_with_the_tracklist(
    client, django_assert_max_num_queries, settings, artist, fan, kind
):
    from playlists import services
    from tests.factories import ReleaseFactory

    settings.PAGE_CACHE = False
    release = ReleaseFactory(artist=artist)
    playlist = playlist_with(owner=fan)
    item = {"release": release, "playlist": playlist, "artist": artist}[kind]

    def add(count: int) -> None:
        tracks = [TrackFactory(artist=artist, release=release) for _ in range(count)]
        services.add_tracks(playlist=playlist, tracks=tracks, by=fan)

    add(3)
    with django_assert_max_num_queries(3) as few:
        assert client.get(embed_url(item, kind)).content.decode().count("data-item=") == 3
    add(57)
    with django_assert_max_num_queries(len(few)):
        page = client.get(embed_url(item, kind))
    shown = embed.ARTIST_TRACKS if kind == "artist" else 60
    assert page.content.decode().count("data-item=") == shown


def test_og_audio_redirects_to_a_fresh_stream_and_respects_permissions(client, make_item):
    track = make_item("track")
    response = client.get(reverse("embed:track_audio", args=[track.public_id]))
    assert response.status_code == 302
    assert response["Location"].startswith("/stream/")
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    stream = client.get(response["Location"])
    assert stream.status_code == 200 and stream["Content-Type"] == "audio/mpeg"
    for state in ("private", "taken_down"):
        other = make_item("track", state)
        assert client.get(reverse("embed:track_audio", args=[other.public_id])).status_code == 404


def test_the_studio_lists_sites_embedding_the_artists_music(artist_client, artist):
    track = TrackFactory(artist=artist)
    url = reverse("tracks:track_play", args=[track.public_id])
    for origin in ("https://blog.example", "https://blog.example", "https://zine.example"):
        artist_client.get(url, {"source": "embed", "origin": origin, "start": "1"})
    artist_client.get(
        url, {"source": "track", "origin": "https://not-an-embed.example", "start": "1"}
    )
    page = artist_client.get(reverse("artists:studio")).content.decode()
    assert "Sites embedding your music" in page
    assert "https://blog.example" in page and "2 streams started" in page
    assert "https://zine.example" in page and "1 stream started" in page
    assert "not-an-embed" not in page
