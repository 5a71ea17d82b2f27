"""Starting personal stations from the radio home, artist and track pages, and playing them."""

import uuid

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from radio import stations
from radio.models import RadioPlay, RadioSession, StationKind
from tests.factories import ArtistFactory, TrackFactory
from tracks.models import Visibility

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}


def start(client, **fields):
    return client.post("/radio/start", fields, **JSON)


def test_the_radio_home_offers_every_kind_of_station(client, catalogue, django_assert_num_queries):
    TrackFactory(genre="", tags=["calm", "ambient"], renditions=False)
    TrackFactory(genre="Ambient", tags=["ambient"], visibility=Visibility.PRIVATE, renditions=False)

    with django_assert_num_queries(2):  # the genres, the moods; the session is not touched
        page = client.get("/radio/").content.decode()

    assert 'href="/radio/live/"' in page
    assert "Start Discovery" in page
    # 6 ambient tracks in the catalogue + the tagged one (counted once); the private one not.
    assert 'value="techno">techno <span class="muted">12</span>' in page
    assert 'value="ambient">ambient <span class="muted">7</span>' in page
    assert 'value="calm">calm <span class="muted">1</span>' in page
    assert '<button type="submit" class="chip" name="seed" value="calm">Calm <span' in page
    for mood in ("Energetic", "Melancholic"):  # nothing tagged: shown, but cannot be started
        assert f'disabled aria-describedby="radio-moods-empty">{mood} <span' in page
    assert 'name="artist"' in page

    with django_assert_num_queries(0):  # genres and moods cached for ten minutes
        client.get("/radio/")


def test_top_genres_count_each_radio_track_once_most_common_first(db):
    TrackFactory(genre="Folk", tags=["folk", "acoustic"], renditions=False)
    TrackFactory(genre="folk", tags=[], renditions=False)
    TrackFactory(genre="", tags=["acoustic"], renditions=False)
    TrackFactory(genre="Folk", radio_enabled=False, renditions=False)
    TrackFactory(genre="Folk", taken_down_at=timezone.now(), renditions=False)
    TrackFactory(genre="Jazz", renditions=False)

    assert stations.top_genres() == [("acoustic", 2), ("folk", 2), ("jazz", 1)]
    assert stations.top_genres(limit=1) == [("acoustic", 2)]


def test_starting_discovery_hands_the_player_a_station_that_plays_on(client, catalogue):
    answer = start(client, kind="discovery")

    assert answer.status_code == 201
    session = RadioSession.objects.get()
    assert answer.json() == {
        "session": str(session.pk),
        "label": "Discovery",
        "url": f"/radio/s/{session.pk}/",
        "next": f"/radio/s/{session.pk}/next",
    }
    assert session.listener_key == client.session["radio_listener"]  # r:<random hex>
    assert session.listener_key.startswith("r:")

    first = client.post(f"/radio/s/{session.pk}/next").json()
    second = client.post(f"/radio/s/{session.pk}/next").json()
    play = RadioPlay.objects.get(pk=first["play"])
    assert first == {
        "id": play.track.public_id,
        "src": f"/track/{play.track.public_id}/play",
        "title": play.track.title,
        "artist": play.track.artist.name,
        "duration": 4.0,
        "source": "radio",
        "context": f"station:{session.pk.hex[:24]}",
        "play": play.pk,
        "feedback": f"/radio/play/{play.pk}/feedback",
        "comment": "",  # anonymous listeners do not comment
    }
    assert second["id"] != first["id"]
    assert RadioPlay.objects.filter(session=session).count() == 2


def test_a_signed_in_listener_gets_a_comment_address_with_each_track(client, fan, catalogue):
    client.force_login(fan)
    session = start(client, kind="discovery").json()
    item = client.post(session["next"]).json()
    assert item["comment"] == f"/radio/track/{item['id']}/comments"
    assert RadioSession.objects.get().listener_key == f"u:{fan.pk}"


def test_an_exhausted_station_answers_409_with_a_message_not_an_error(client, db):
    TrackFactory(renditions=False)
    session = start(client, kind="discovery").json()
    assert client.post(session["next"]).status_code == 200

    answer = client.post(session["next"])

    assert answer.status_code == 409
    assert answer.json() == {
        "error": "This station has played everything it has for now. Try another station, "
        "or come back later for new music.",
        "empty": True,
    }


def test_tag_mood_artist_and_track_stations_start_with_their_labels(client, catalogue):
    artist = catalogue[0].artist
    assert start(client, kind="tag", seed="Ambient").json()["label"] == "Ambient radio"
    assert start(client, kind="mood", seed="calm").json()["label"] == "Calm radio"
    assert start(client, kind="artist", artist=artist.name.upper()).json()["label"] == (
        f"{artist.name} radio"
    )
    track = catalogue[4]
    assert start(client, kind="track", track=track.public_id).json()["label"] == (
        f"Radio from “{track.title}”"
    )
    kinds = set(RadioSession.objects.values_list("kind", "seed"))
    assert kinds == {
        ("tag", "ambient"),
        ("mood", "calm"),
        ("artist", artist.slug),
        ("track", track.public_id),
    }


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"kind": "live"}, "There is no such station."),
        ({"kind": "<b>x</b>"}, "There is no such station."),
        ({}, "There is no such station."),
        ({"kind": "mood", "seed": "furious"}, "There is no such mood station."),
        ({"kind": "tag", "seed": "   "}, "Choose a genre, tag or mood for this station."),
        ({"kind": "artist", "artist": "Nobody At All"}, "We found no artist by that name."),
        # PostgreSQL refuses NUL characters in text: a 500 before, now refused with a message.
        ({"kind": "tag", "seed": "ambi\x00ent"}, "There is no genre or tag with a NUL character."),
        ({"kind": "artist", "artist": "mi\x00ra"}, "We found no artist by that name."),
    ],
)
def test_bad_station_requests_get_a_clear_400_and_no_session(client, db, fields, message):
    answer = start(client, **fields)
    assert answer.status_code == 400
    assert answer.json() == {"error": message}
    assert not RadioSession.objects.exists()


def test_a_bad_request_without_javascript_gets_a_page_with_the_message(client, db):
    answer = client.post("/radio/start", {"kind": "mood", "seed": "<script>x</script>"})
    assert answer.status_code == 400
    assert "There is no such mood station." in answer.content.decode()
    assert "<script>x" not in answer.content.decode()


def test_stations_from_music_the_listener_may_not_see_are_404(client, db):
    private = TrackFactory(visibility=Visibility.PRIVATE, renditions=False)
    taken_down = TrackFactory(taken_down_at=timezone.now(), renditions=False)
    suspended = ArtistFactory(is_suspended=True)

    assert start(client, kind="track", track=private.public_id).status_code == 404
    assert start(client, kind="track", track=taken_down.public_id).status_code == 404
    assert start(client, kind="track", track="x" * 5000).status_code == 404
    nul = start(client, kind="track", track="ab\x00cd")  # PostgreSQL refuses NUL: was a 500
    assert (nul.status_code, nul.json()) == (404, {"error": "No such track."})
    refused = start(client, kind="artist", artist=suspended.slug)
    assert (refused.status_code, refused.json()) == (404, {"error": "No such artist."})
    assert not RadioSession.objects.exists()


def test_starting_a_station_needs_the_csrf_token(db):
    client = Client(enforce_csrf_checks=True)
    assert client.post("/radio/start", {"kind": "discovery"}, **JSON).status_code == 403
    assert not RadioSession.objects.exists()


def test_buttons_on_cached_pages_get_a_start_page_with_a_csrf_form(client, catalogue):
    track = catalogue[0]
    page = client.get("/radio/start", {"kind": "track", "track": track.public_id})

    assert page.status_code == 200
    html = page.content.decode()
    assert f"Radio from “{track.title}”" in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert f'name="track" value="{track.public_id}"' in html
    assert not RadioSession.objects.exists()  # a GET never starts anything
    assert client.get("/radio/start", {"kind": "mood", "seed": "furious"}).status_code == 400


def test_without_javascript_starting_leads_to_the_station_page(client, catalogue):
    answer = client.post("/radio/start", {"kind": "discovery"})
    session = RadioSession.objects.get()
    assert answer.status_code == 302
    assert answer["Location"] == f"/radio/s/{session.pk}/"

    client.post(f"/radio/s/{session.pk}/next")
    page = client.get(answer["Location"]).content.decode()
    played = RadioPlay.objects.get().track
    assert "<h1>Discovery</h1>" in page
    assert played.title in page


def test_the_station_page_lists_plays_in_a_fixed_number_of_queries(client, fan, catalogue):
    client.force_login(fan)
    session = start(client, kind="discovery").json()
    for _ in range(2):
        client.post(session["next"])
    with CaptureQueriesContext(connection) as two:
        client.get(session["url"])
    for _ in range(10):
        client.post(session["next"])
    hidden = RadioPlay.objects.order_by("pk").first().track
    hidden.visibility = Visibility.PRIVATE
    hidden.save()

    with CaptureQueriesContext(connection) as twelve:
        page = client.get(session["url"]).content.decode()

    assert page.count('<li class="track-row') == 11  # the track made private since is left out
    assert hidden.title not in page
    assert len(twelve) == len(two)


def test_another_listeners_station_is_404(client, fan, catalogue):
    client.force_login(fan)
    session = start(client, kind="discovery").json()
    other = Client()

    assert other.post(session["next"]).status_code == 404
    assert other.get(session["url"]).status_code == 404
    assert client.post(f"/radio/s/{uuid.uuid4()}/next").status_code == 404
    assert not RadioPlay.objects.exists()


def test_next_only_takes_posts(client, catalogue):
    session = start(client, kind="discovery").json()
    assert client.get(session["next"]).status_code == 405


def test_artist_and_track_pages_have_radio_buttons(client, catalogue):
    track = catalogue[0]
    artist_page = client.get(track.artist.get_absolute_url()).content.decode()
    track_page = client.get(track.get_absolute_url()).content.decode()

    assert f'name="artist" value="{track.artist.slug}"' in artist_page
    assert "Artist radio" in artist_page
    assert f'name="track" value="{track.public_id}"' in track_page
    assert "Start radio" in track_page
    # No CSRF token in pages cached for anonymous visitors.
    assert "csrfmiddlewaretoken" not in track_page


def test_the_radio_panel_offers_every_dislike_reason(client, db):
    page = client.get("/radio/").content.decode()
    assert 'id="radio-panel"' in page
    for reason in ("genre", "production", "vocals", "too-long", "too-slow", "other"):
        assert f'data-reason="{reason}"' in page
    assert StationKind.DISCOVERY.label in page
