"""An anonymous listener's radio lives in their session, and survives midnight and signing in."""

from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
from django.test import Client

from radio.models import Feedback, ListenerAffinity, RadioPlay, RadioSession
from tests.factories import ArtistFactory, TrackFactory, UserFactory

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}
BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/131.0 Safari/537.36"


def start(client: Client) -> str:
    response = client.post("/radio/start", {"kind": "discovery"}, **JSON)
    assert response.status_code == 201
    return response.json()["next"]


def test_an_anonymous_station_survives_midnight_utc(catalogue):
    client = Client()
    following = start(client)
    assert client.post(following, **JSON).status_code == 200

    tomorrow = datetime.now(UTC) + timedelta(days=1)
    with mock.patch("django.utils.timezone.now", return_value=tomorrow):
        response = client.post(following, **JSON)

    assert response.status_code == 200


def test_two_people_behind_one_address_with_one_browser_have_stations_of_their_own(catalogue):
    a = Client(HTTP_USER_AGENT=BROWSER, REMOTE_ADDR="203.0.113.9")
    b = Client(HTTP_USER_AGENT=BROWSER, REMOTE_ADDR="203.0.113.9")
    following = start(a)
    play = a.post(following, **JSON).json()["play"]

    assert b.post(f"/radio/play/{play}/feedback", {"kind": "dislike"}, **JSON).status_code == 404
    assert b.post(following, **JSON).status_code == 404
    assert not Feedback.objects.exists()
    assert RadioPlay.objects.count() == 1


def test_signing_in_mid_station_keeps_the_station_the_play_and_the_feedback(catalogue, fan):
    client = Client()
    following = start(client)
    first = client.post(following, **JSON).json()
    liked = client.post(f"/radio/play/{first['play']}/feedback", {"kind": "like"}, **JSON)
    assert liked.status_code == 200

    client.force_login(fan)

    assert (
        client.post(f"/radio/play/{first['play']}/feedback", {"kind": "skip"}, **JSON).status_code
        == 200
    )
    second = client.post(following, **JSON)
    assert second.status_code == 200
    assert second.json()["id"] != first["id"]
    key = f"u:{fan.pk}"
    assert RadioSession.objects.get().listener_key == key
    assert RadioSession.objects.get().user == fan
    assert set(RadioPlay.objects.values_list("listener_key", "user")) == {(key, fan.pk)}
    assert sorted(Feedback.objects.values_list("listener_key", "kind")) == [
        (key, "like"),
        (key, "skip"),
    ]
    assert ListenerAffinity.objects.exclude(listener_key=key).count() == 0


def test_signing_in_adds_the_anonymous_affinities_to_the_accounts_own(catalogue):
    user = UserFactory()
    track = catalogue[0]
    ListenerAffinity.objects.create(
        listener_key=f"u:{user.pk}", dimension="artist", value=str(track.artist_id), weight=3.5
    )
    client = Client()
    following = start(client)
    # like whatever is played until this artist comes up (the station never repeats a track)
    for _ in range(len(catalogue)):
        item = client.post(following, **JSON).json()
        client.post(f"/radio/play/{item['play']}/feedback", {"kind": "like"}, **JSON)
        if item["id"] == track.public_id:
            break

    client.force_login(user)

    mine = dict(
        ListenerAffinity.objects.filter(
            listener_key=f"u:{user.pk}", dimension="artist"
        ).values_list("value", "weight")
    )
    assert mine[str(track.artist_id)] == 4.0  # 3.5 + at least one like (+1), kept within ±4
    assert not ListenerAffinity.objects.exclude(listener_key=f"u:{user.pk}").exists()


def test_a_visitor_who_never_started_a_station_gets_no_session(catalogue):
    client = Client()
    assert client.get("/radio/").status_code == 200
    assert "sessionid" not in client.cookies


def test_the_live_station_keeps_an_anonymous_listener_who_signs_in(fan):
    for artist in ArtistFactory.create_batch(20):
        TrackFactory(artist=artist, duration=240.0, renditions=False)
    client = Client()
    slot = client.get("/radio/live/now").json()["current"]["slot"]
    play = client.post("/radio/live/tune", {"slot": slot}).json()["play"]
    assert RadioPlay.objects.get(pk=play).listener_key == client.session["radio_listener"]

    client.force_login(fan)

    assert client.post(f"/radio/play/{play}/feedback", {"kind": "like"}, **JSON).status_code == 200
    assert client.post("/radio/live/tune", {"slot": slot}).json()["play"] == play  # same play
    assert RadioPlay.objects.get().listener_key == f"u:{fan.pk}"


def test_tuning_in_from_the_live_page_counts_one_listener_not_two():
    for artist in ArtistFactory.create_batch(20):
        TrackFactory(artist=artist, duration=240.0, renditions=False)
    client = Client()
    client.get("/radio/live/")
    key = client.session["radio_listener"]
    now = client.get("/radio/live/now?listening=1").json()  # the page's poll while tuning in
    assert now["listeners"] == 1

    play = client.post("/radio/live/tune", {"slot": now["current"]["slot"]}).json()["play"]

    assert client.get("/radio/live/now?listening=1").json()["listeners"] == 1
    assert RadioPlay.objects.get(pk=play).listener_key == key
