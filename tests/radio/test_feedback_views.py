"""Like, dislike (with a reason) and skip on a radio play, through the radio panel's endpoint."""

import pytest
from django.test import Client

from radio import services
from radio.models import Feedback, ListenerAffinity, RadioSession, StationKind, TrackRadioScore
from tests.factories import TrackFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def listener(client, fan):
    client.force_login(fan)
    return client


@pytest.fixture
def play(fan, catalogue, rng):
    session = RadioSession.objects.create(
        listener_key=f"u:{fan.pk}", user=fan, kind=StationKind.DISCOVERY
    )
    return services.next_track(session=session, rng=rng)


def feedback(client, play, **fields):
    headers = {k: fields.pop(k) for k in list(fields) if k.startswith("HTTP_")}
    return client.post(f"/radio/play/{play.pk}/feedback", fields, **headers)


def affinities(listener_key: str) -> dict:
    return {
        (a.dimension, a.value): a.weight
        for a in ListenerAffinity.objects.filter(listener_key=listener_key)
    }


def test_a_like_counts_and_says_what_it_changes(listener, play, fan):
    answer = feedback(listener, play, kind="like", at_seconds="2.5")

    assert answer.status_code == 200
    assert answer.json() == {
        "kind": "like",
        "reason": "",
        "message": f"Liked “{play.track.title}”: your stations will play more from "
        f"{play.track.artist.name}.",
    }
    score = TrackRadioScore.objects.get(track=play.track)
    assert (score.plays, score.likes, score.dislikes, score.skips) == (1, 1, 0, 0)
    assert affinities(f"u:{fan.pk}") == {
        ("artist", str(play.track.artist_id)): 1.0,
        ("genre", play.track.genre): 0.5,
    }


def test_a_dislike_for_its_genre_lowers_the_genre_and_never_plays_the_track_again(
    listener, play, fan, rng
):
    answer = feedback(listener, play, kind="dislike", reason="genre", at_seconds="1")

    assert answer.json()["message"] == (
        f"Disliked “{play.track.title}”: your stations will play less from "
        f"{play.track.artist.name} and less {play.track.genre}, and never this track."
    )
    assert Feedback.objects.get().reason == "genre"
    assert affinities(f"u:{fan.pk}") == {
        ("artist", str(play.track.artist_id)): -1.0,
        ("genre", play.track.genre): -1.5,
    }
    # The very next picks of any of this listener's stations leave the track out.
    another = listener.post("/radio/start", {"kind": "discovery"}, HTTP_ACCEPT="application/json")
    # Ten picks, not all 17 left: with no artist twice in a row a station can end early.
    heard = {listener.post(another.json()["next"]).json()["id"] for _ in range(10)}
    assert len(heard) == 10
    assert play.track.public_id not in heard


def test_a_skip_records_where_the_listener_left(listener, play):
    answer = feedback(listener, play, kind="skip", at_seconds="3.25")

    assert answer.json()["message"] == f"Skipped “{play.track.title}”."
    skip = Feedback.objects.get()
    assert (skip.kind, skip.at_seconds) == ("skip", 3.25)
    assert TrackRadioScore.objects.get(track=play.track).skips == 1


def test_repeated_feedback_counts_once_and_like_replaces_dislike(listener, play):
    for _ in range(3):
        assert feedback(listener, play, kind="dislike", reason="vocals").status_code == 200
    feedback(listener, play, kind="like")
    feedback(listener, play, kind="like")

    score = TrackRadioScore.objects.get(track=play.track)
    assert (score.likes, score.dislikes) == (1, 0)
    assert list(Feedback.objects.values_list("kind", flat=True)) == ["like"]


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"kind": "love"}, "Feedback is a like, a dislike or a skip."),
        ({}, "Feedback is a like, a dislike or a skip."),
        ({"kind": "like", "reason": "vocals"}, "Only a dislike takes a reason."),
        ({"kind": "dislike", "reason": "<script>alert(1)</script>"}, "Choose one of the reasons"),
        ({"kind": "skip", "at_seconds": "soon"}, "The moment must be a number of seconds."),
        ({"kind": "skip", "at_seconds": "1e999"}, "That moment is after the end of the track."),
        ({"kind": "skip", "at_seconds": "NaN"}, "That moment is not in the track."),
        ({"kind": "skip", "at_seconds": "-3"}, "That moment is not in the track."),
        ({"kind": "skip", "at_seconds": "60"}, "That moment is after the end of the track."),
        ({"kind": "x" * 100_000}, "Feedback is a like, a dislike or a skip."),
    ],
)
def test_bad_feedback_is_a_400_with_a_message_and_writes_nothing(listener, play, fields, message):
    answer = feedback(listener, play, **fields)

    assert answer.status_code == 400
    assert answer.json()["error"].startswith(message)
    assert not Feedback.objects.exists()
    assert not ListenerAffinity.objects.exists()


@pytest.mark.parametrize("moment", ["inf", "1e999", "-inf", "Infinity"])
def test_an_infinite_moment_is_refused_on_a_track_of_unknown_length(listener, fan, moment):
    track = TrackFactory(duration=None, renditions=False)
    play = services.record_radio_play(track=track, listener_key=f"u:{fan.pk}", user=fan)

    answer = feedback(listener, play, kind="skip", at_seconds=moment)

    assert (answer.status_code, answer.json()) == (
        400,
        {"error": "That moment is not in the track."},
    )
    assert not Feedback.objects.exists()
    assert TrackRadioScore.objects.get(track=track).skips == 0


def test_feedback_on_a_track_not_played_to_this_listener_is_404(listener, play, outsider):
    other = Client()
    other.force_login(outsider)

    assert feedback(other, play, kind="dislike").status_code == 404
    assert feedback(Client(), play, kind="like").status_code == 404  # anonymous: another key
    assert listener.post("/radio/play/987654/feedback", {"kind": "like"}).status_code == 404
    scripted = feedback(other, play, kind="like", HTTP_ACCEPT="application/json")
    assert scripted.json() == {"error": "This track was not played to you on the radio."}
    assert not Feedback.objects.exists()


def test_an_anonymous_listener_gives_feedback_on_their_own_plays(client, catalogue):
    session = client.post("/radio/start", {"kind": "discovery"}, HTTP_ACCEPT="application/json")
    item = client.post(session.json()["next"]).json()

    assert client.post(item["feedback"], {"kind": "like"}).status_code == 200
    assert Feedback.objects.get().listener_key == client.session["radio_listener"]


def test_feedback_needs_a_post_with_the_csrf_token(play, fan):
    client = Client(enforce_csrf_checks=True)
    client.force_login(fan)

    assert client.get(f"/radio/play/{play.pk}/feedback").status_code == 405
    assert feedback(client, play, kind="like").status_code == 403
    assert not Feedback.objects.exists()
