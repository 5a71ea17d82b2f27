"""Search: prefix matching and ranking on PostgreSQL, the icontains fallback, what is never
found, and input that must not break anything."""

import pytest
from django.db import connection
from django.utils import timezone

from backstage import search
from playlists.models import Playlist
from tests.factories import ArtistFactory, ReleaseFactory, TrackFactory, UserFactory
from tracks.models import Track

pytestmark = pytest.mark.django_db

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="full-text search needs PostgreSQL"
)
BOTH = pytest.mark.parametrize(
    "full_text",
    [
        pytest.param(True, marks=postgres_only, id="postgres-fts"),
        pytest.param(False, id="icontains"),
    ],
)


def found(kind, text, full_text=None):
    return list(search.matching(kind, search.parse_query(text), full_text=full_text))


@pytest.fixture
def harbour(artist):
    release = ReleaseFactory(artist=artist, title="Harbour Lights", description="Songs at sea.")
    return TrackFactory(
        artist=artist,
        release=release,
        title="Harbour Lights",
        genre="Ambient",
        tags=["dream pop", "field recordings"],
    )


@BOTH
def test_a_prefix_finds_the_word(harbour, full_text):
    assert found("tracks", "harb", full_text) == [harbour]
    assert found("tracks", "HARBOUR lig", full_text) == [harbour]
    assert found("releases", "harb", full_text) == [harbour.release]
    assert found("artists", "mira", full_text) == [harbour.artist]


@BOTH
def test_every_word_must_match(harbour, full_text):
    assert found("tracks", "harbour nowhere", full_text) == []


@postgres_only
def test_a_title_match_outranks_a_description_match(artist):
    described = ReleaseFactory(
        artist=artist, title="Quiet", description="Recorded in a lighthouse."
    )
    titled = ReleaseFactory(artist=artist, title="Lighthouse", description="")
    for release in (described, titled):
        TrackFactory(artist=artist, release=release)
    assert found("releases", "lighthouse") == [titled, described]


@postgres_only
def test_a_title_match_outranks_a_tag_and_credits_match(artist):
    tagged = TrackFactory(artist=artist, title="One", tags=["northern"], credits="")
    credited = TrackFactory(artist=artist, title="Two", credits="Mixed by Northern Sound")
    titled = TrackFactory(artist=artist, title="Northern Line")
    assert found("tracks", "north") == [titled, tagged, credited]


@BOTH
def test_unicode_words_match_in_any_script(artist, full_text):
    bjork = TrackFactory(artist=artist, title="Jóga für Björk")
    tokyo = TrackFactory(artist=artist, title="東京 night")
    assert found("tracks", "björ", full_text) == [bjork]
    assert found("tracks", "東京", full_text) == [tokyo]


@BOTH
def test_hidden_music_is_never_found(artist, full_text):
    suspended = ArtistFactory(name="Hidden Suspended", is_suspended=True)
    hidden = [
        TrackFactory(artist=artist, title="Hidden private", visibility="private"),
        TrackFactory(artist=artist, title="Hidden unlisted", visibility="unlisted"),
        TrackFactory(artist=artist, title="Hidden processing", status=Track.Status.PROCESSING),
        TrackFactory(artist=artist, title="Hidden failed", status=Track.Status.FAILED),
        TrackFactory(artist=artist, title="Hidden taken", taken_down_at=timezone.now()),
        TrackFactory(artist=suspended, title="Hidden by suspended"),
    ]
    private_release = ReleaseFactory(artist=artist, title="Hidden private", visibility="private")
    TrackFactory(artist=artist, release=private_release)
    taken_release = ReleaseFactory(
        artist=artist, title="Hidden taken", taken_down_at=timezone.now()
    )
    TrackFactory(artist=artist, release=taken_release)
    ReleaseFactory(artist=artist, title="Hidden empty")  # nothing playable on it yet
    processing_only = ReleaseFactory(artist=artist, title="Hidden processing")
    TrackFactory(artist=artist, release=processing_only, status=Track.Status.PROCESSING)
    owner = UserFactory()
    Playlist.objects.create(owner=owner, title="Hidden private", visibility="private")
    Playlist.objects.create(owner=owner, title="Hidden unlisted", visibility="unlisted")
    Playlist.objects.create(owner=owner, title="Hidden taken", taken_down_at=timezone.now())
    suspended_fan = UserFactory(suspended_at=timezone.now())
    Playlist.objects.create(owner=suspended_fan, title="Hidden by a suspended person")
    assert hidden
    for kind in ("tracks", "releases", "playlists"):
        assert found(kind, "hidden", full_text) == [], kind
    assert found("artists", "hidden", full_text) == []
    assert search.matching_tags(search.parse_query("hidden"), full_text=full_text) == []


@BOTH
def test_public_playlists_are_found(fan, full_text):
    mix = Playlist.objects.create(owner=fan, title="Sunday Harbour mix", description="slow")
    assert found("playlists", "harbour", full_text) == [mix]


@BOTH
def test_a_hash_tag_finds_tracks_tagged_exactly_that(harbour, artist, full_text):
    TrackFactory(artist=artist, title="Not tagged but says dream pop", tags=["dream"])
    assert found("tracks", "#dream pop", full_text) == [harbour]
    assert found("tracks", "#Dream Pop", full_text) == [harbour]


@BOTH
def test_tags_are_listed_by_the_start_of_any_of_their_words(harbour, artist, full_text):
    TrackFactory(artist=artist, title="Another", tags=["dream pop"])
    tags = search.matching_tags(search.parse_query("po"), full_text=full_text)
    assert [(t.name, t.tracks) for t in tags] == [("dream pop", 2)]
    assert search.matching_tags(search.parse_query("field rec"), full_text=full_text)[0].name == (
        "field recordings"
    )


HOSTILE = [
    "",
    " ",
    "a",
    "x" * 500,
    "harb " * 100,
    "&|!:*()'\\",
    "harb:* | !lights",
    "'; DROP TABLE tracks_track; --",
    "(harb",
    "harb\\",
    "<script>alert(1)</script>",
    "🎵🎶",
    "🎵 harb",
    "\x00harb",
    "%",
    "_",
    "#",
    "# ",
    "#<b>",
]


@pytest.mark.parametrize("text", HOSTILE)
@pytest.mark.parametrize("kind", ["all", *search.KINDS, "bogus"])
def test_hostile_queries_never_break_the_results_page(client, harbour, text, kind):
    response = client.get("/search", {"q": text, "type": kind, "page": "x"})
    assert response.status_code == 200
    assert b"<script>alert(1)</script>" not in response.content


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_queries_never_break_instant_results(client, harbour, text):
    response = client.get("/search/suggest", {"q": text}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert b"<script>alert(1)</script>" not in response.content


@BOTH
@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_queries_go_through_both_matchers(harbour, text, full_text):
    query = search.parse_query(text)
    for kind in ("tracks", "releases", "artists", "playlists"):
        list(search.matching(kind, query, full_text=full_text)[:5])
    search.matching_tags(query, full_text=full_text)


@postgres_only
def test_hostile_characters_are_separators_not_operators(harbour):
    assert found("tracks", "harb:* | !lights") == [harbour]
    assert found("tracks", "🎵 harb") == [harbour]
    assert search.parse_query("🎵🎶").is_empty


def test_the_results_page_shows_tabs_with_counts_and_play_buttons(client, harbour):
    response = client.get("/search", {"q": "harb"})
    html = response.content.decode()
    assert 'data-source="search"' in html
    assert f'data-play="{harbour.public_id}"' in html
    assert 'aria-current="page">All' in html
    assert 'Tracks <span class="count">1</span>' in html
    assert 'Releases <span class="count">1</span>' in html
    assert 'Playlists <span class="count">0</span>' in html


def test_a_tab_shows_one_kind_paginated(client, artist):
    for n in range(25):
        TrackFactory(artist=artist, title=f"Harbour {n}")
    first = client.get("/search", {"q": "harbour", "type": "tracks"}).content.decode()
    assert first.count("data-play=") == 20
    assert "Page 1 of 2" in first
    second = client.get("/search", {"q": "harbour", "type": "tracks", "page": 2}).content.decode()
    assert second.count("data-play=") == 5


def test_the_results_page_has_a_constant_number_of_queries(
    client, artist, django_assert_max_num_queries
):
    def load():
        with django_assert_max_num_queries(14):
            assert client.get("/search", {"q": "sea"}).status_code == 200
        with django_assert_max_num_queries(9):
            assert client.get("/search", {"q": "sea", "type": "tracks"}).status_code == 200

    TrackFactory(artist=artist, title="Sea one", tags=["sea"])
    load()
    for n in range(15):
        other = ArtistFactory(name=f"Sea artist {n}")
        release = ReleaseFactory(artist=other, title=f"Sea release {n}")
        TrackFactory(artist=other, release=release, title=f"Sea {n}", tags=[f"sea {n}"])
    load()


def test_instant_results_offer_a_few_of_each_kind_as_options(client, harbour):
    response = client.get("/search/suggest", {"q": "harb"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.count('role="option"') == 3  # the track, the release, "All results"
    assert "Harbour Lights" in html
    assert "2 suggestions" in html
    empty = client.get("/search/suggest", {"q": ""}).content.decode()
    assert 'role="option"' not in empty


def test_tag_links_on_a_track_page_search_for_the_tag(client, harbour):
    html = client.get(harbour.get_absolute_url()).content.decode()
    assert 'href="/search?q=%23dream%20pop&amp;type=tracks"' in html
    result = client.get("/search", {"q": "#dream pop", "type": "tracks"}).content.decode()
    assert f'data-play="{harbour.public_id}"' in result


@postgres_only
def test_very_common_words_are_counted_and_ranked_with_bounded_work(client, artist, monkeypatch):
    monkeypatch.setattr(search, "COUNT_CAP", 2)
    monkeypatch.setattr(search, "RANK_CANDIDATES", 3)
    tracks = [TrackFactory(artist=artist, title=f"Love song {n}") for n in range(5)]
    assert found("tracks", "love") == tracks[:1:-1]  # the three newest, ranked alike
    html = client.get("/search", {"q": "love"}).content.decode()
    assert 'Tracks <span class="count">2+</span>' in html
