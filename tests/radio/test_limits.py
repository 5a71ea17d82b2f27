"""Rate limits on starting stations, asking for the next track and giving feedback (per
listener and per address), and the track's score counting one like or dislike per listener:
one client cannot hand a track plays and likes by the hundred."""

import pytest
from django.test import Client

from radio import limits, services
from radio.models import Feedback, RadioPlay, RadioSession, TrackRadioScore
from tests.factories import ArtistFactory, TrackFactory, UserFactory

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}


def start(client, **fields):
    return client.post("/radio/start", fields, **JSON)


def signed_in(user, address="198.51.100.7") -> Client:
    client = Client(REMOTE_ADDR=address)
    client.force_login(user)
    return client


def test_one_client_cannot_pump_a_tracks_plays_and_likes():
    """Start artist radio, take its one track, like it; again and again (one anonymous client):
    40 rounds were 40 plays and 40 likes."""
    artist = ArtistFactory()
    track = TrackFactory(artist=artist, renditions=False)
    client = Client()

    for _ in range(10):
        item = client.post(start(client, kind="artist", artist=artist.name).json()["next"]).json()
        assert client.post(item["feedback"], {"kind": "like"}, **JSON).status_code == 200
    refused = start(client, kind="artist", artist=artist.name)

    assert refused.status_code == 429
    assert refused.json() == {
        "error": "You are starting stations very fast: wait a minute, then try again."
    }
    assert refused["Retry-After"] == "60"
    score = TrackRadioScore.objects.get(track=track)
    assert (score.plays, score.likes) == (10, 1)  # ten plays, one listener's like
    assert Feedback.objects.filter(kind="like").count() == 10  # each play keeps its own
    assert RadioSession.objects.count() == 10


def test_a_page_asking_too_fast_gets_a_429_page(catalogue):
    client = Client()
    for _ in range(10):
        client.post("/radio/start", {"kind": "discovery"})

    answer = client.post("/radio/start", {"kind": "discovery"})

    assert answer.status_code == 429
    assert "You are starting stations very fast" in answer.content.decode()


def test_asking_for_the_next_track_is_limited_per_listener(fan, catalogue):
    client = signed_in(fan)
    station = start(client, kind="discovery").json()
    answers = [client.post(station["next"], **JSON).status_code for _ in range(31)]

    # 17 tracks by 6 artists (never one artist twice in a row), then the station is empty.
    assert answers.count(200) + answers.count(409) == 30
    assert answers[-1] == 429
    assert client.post(station["next"], **JSON).json() == {
        "error": "You are skipping very fast: wait a minute, then try again."
    }
    assert RadioPlay.objects.count() == answers.count(200)
    # Another listener is not slowed down by this one.
    other = signed_in(UserFactory())
    assert other.post(start(other, kind="discovery").json()["next"], **JSON).status_code == 200


def test_feedback_is_limited_per_listener(fan, catalogue):
    play = services.record_radio_play(track=catalogue[0], listener_key=f"u:{fan.pk}", user=fan)
    client = signed_in(fan)
    url = f"/radio/play/{play.pk}/feedback"

    assert {client.post(url, {"kind": "skip"}).status_code for _ in range(30)} == {200}
    answer = client.post(url, {"kind": "like"}, **JSON)

    assert answer.status_code == 429
    assert answer.json() == {"error": "You are rating very fast: wait a minute, then try again."}
    assert list(Feedback.objects.values_list("kind", flat=True)) == ["skip"]


def test_listeners_behind_one_address_share_five_times_the_limit(catalogue):
    listeners = [signed_in(UserFactory()) for _ in range(6)]
    for client in listeners[:5]:
        assert {start(client, kind="discovery").status_code for _ in range(10)} == {201}

    answer = start(listeners[5], kind="discovery")

    assert answer.status_code == 429
    assert answer.json() == {
        "error": "Many people on your network are using the radio right now: wait a minute, "
        "then try again."
    }
    assert RadioSession.objects.count() == 50
    elsewhere = signed_in(UserFactory(), address="203.0.113.50")
    assert start(elsewhere, kind="discovery").status_code == 201


def test_refused_requests_give_their_place_back():
    per_minute = limits.Limit(2, 60, "Slow down.")
    per_hour = limits.Limit(3, 3600, "Later.")
    counters = [(per_minute, "me"), (per_hour, "me")]

    limits.take("test", counters)
    limits.take("test", counters)
    for _ in range(5):  # hammering the per-minute limit does not use up the hour
        with pytest.raises(limits.TooMany, match="Slow down"):
            limits.take("test", counters)
    limits.give_back(limits.take("test", [(per_hour, "me")]))

    assert limits.take("test", [(per_hour, "me")])  # the third of the hour
    with pytest.raises(limits.TooMany, match="Later"):
        limits.take("test", [(per_hour, "me")])


def test_a_listener_counts_once_in_a_tracks_likes_and_dislikes(fan, outsider):
    track = TrackFactory(renditions=False, duration=100.0)

    def play(user):
        return services.record_radio_play(track=track, listener_key=f"u:{user.pk}", user=user)

    def score():
        row = TrackRadioScore.objects.get(track=track)
        return row.plays, row.likes, row.dislikes, row.skips

    first, second = play(fan), play(fan)
    services.record_feedback(play=first, kind="like")
    services.record_feedback(play=second, kind="like")
    assert score() == (2, 1, 0, 0)

    services.record_feedback(play=second, kind="dislike")  # changed their mind: the newest counts
    assert score() == (2, 0, 1, 0)
    services.record_feedback(play=first, kind="skip")
    services.record_feedback(play=second, kind="skip")
    assert score() == (2, 0, 1, 2)  # skips are per play

    services.record_feedback(play=play(outsider), kind="like")
    assert score() == (3, 1, 1, 2)
    services.record_feedback(play=second, kind="like")  # replaces the dislike of that play
    assert score() == (3, 2, 0, 2)
