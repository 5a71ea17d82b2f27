"""Posting a call: who may, what a call may say, the board that lists them, and closing."""

import pytest

from collab.models import Call
from tests.factories import ArtistFactory, TrackFactory
from tracks.models import Track, Visibility

from .factories import CallFactory, days_ahead, signed_in

pytestmark = pytest.mark.django_db


def call_fields(**changes) -> dict:
    fields = {
        "title": "Vocalist for a downtempo track",
        "description": "Half written, needs a voice for the chorus.",
        "skills": ["vocalist"],
        "genre": "Downtempo",
        "remote": "on",
        "place": "",
        "compensation": "share",
        "deadline": days_ahead(30).isoformat(),
        "reference_track": "",
    }
    fields.update(changes)
    return {k: v for k, v in fields.items() if v is not None}


def test_an_artist_posts_a_call_that_appears_on_the_board(artist_client, poster, client):
    answer = artist_client.post("/collab/calls/new/", call_fields())

    call = Call.objects.get()
    assert answer.status_code == 302 and answer["Location"] == f"/collab/calls/{call.id}/"
    assert (call.poster, call.genre, call.skills) == (poster, "downtempo", ["vocalist"])
    board = client.get("/collab/").content.decode()
    assert "Vocalist for a downtempo track" in board and "Revenue share" in board


def test_a_fan_is_told_to_create_an_artist_profile(client, fan):
    client.force_login(fan)

    page = client.get("/collab/calls/new/")
    posted = client.post("/collab/calls/new/", call_fields())

    assert page.status_code == 403 and "Create my artist profile" in page.content.decode()
    assert posted.status_code == 403
    assert not Call.objects.exists()


def test_a_visitor_must_log_in_to_post(client):
    answer = client.post("/collab/calls/new/", call_fields())
    assert answer.status_code == 302 and "/accounts/login/" in answer["Location"]
    assert not Call.objects.exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"deadline": days_ahead(-1).isoformat()}, "must be a day in the future"),
        ({"deadline": days_ahead(0).isoformat()}, "must be a day in the future"),
        ({"deadline": days_ahead(400).isoformat()}, "at most a year from today"),
        ({"deadline": "next tuesday"}, "Enter a valid date"),
        ({"title": "x" * 121}, "at most 120 characters"),
        ({"description": "x" * 4001}, "at most 4000 characters"),
        ({"skills": ["astronaut"]}, "not one of the available choices"),
        ({"skills": None}, "Tick at least one skill"),
        ({"compensation": "gold"}, "not one of the available choices"),
        ({"compensation": None}, "paid, a revenue share or unpaid"),
        ({"remote": None, "place": ""}, "tick “remote is fine” or name a place"),
        ({"genre": "g" * 31}, "at most 30 characters"),
    ],
)
def test_a_bad_call_is_refused_with_a_message(artist_client, changes, message):
    answer = artist_client.post("/collab/calls/new/", call_fields(**changes))

    assert answer.status_code == 422
    assert message in answer.content.decode()
    assert not Call.objects.exists()


def test_html_in_every_text_field_is_shown_as_text(artist_client, client):
    html = "<script>alert(1)</script>"
    artist_client.post(
        "/collab/calls/new/",
        call_fields(
            title=f"{html} title",
            description=f"{html} body",
            genre="<b>x</b>",
            remote=None,
            place=f"{html} place",
        ),
    )
    call = Call.objects.get()

    for page in (
        client.get("/collab/").content.decode(),
        client.get(f"/collab/calls/{call.id}/").content.decode(),
    ):
        assert "<script>alert(1)" not in page and "<b>x</b>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt; title" in page


def test_a_double_submit_makes_one_call(artist_client):
    first = artist_client.post("/collab/calls/new/", call_fields())
    second = artist_client.post("/collab/calls/new/", call_fields())

    assert first.status_code == 302
    assert second.status_code == 422
    assert "You already have an open call called" in second.content.decode()
    assert Call.objects.count() == 1


def test_the_reference_track_must_be_the_posters_own_private_or_unlisted_one(artist_client, poster):
    someone_elses = TrackFactory(artist=ArtistFactory(), visibility=Visibility.PRIVATE)
    public = TrackFactory(artist=poster, visibility=Visibility.PUBLIC)
    processing = TrackFactory(
        artist=poster, visibility=Visibility.PRIVATE, status=Track.Status.PROCESSING
    )
    mine = TrackFactory(artist=poster, visibility=Visibility.UNLISTED)

    for track in (someone_elses, public, processing):
        refused = artist_client.post("/collab/calls/new/", call_fields(reference_track=track.id))
        assert refused.status_code == 422
        assert "Select a valid choice" in refused.content.decode()
    assert not Call.objects.exists()

    artist_client.post("/collab/calls/new/", call_fields(reference_track=mine.id))
    assert Call.objects.get().reference_track == mine


def test_posting_more_than_five_calls_a_day_is_refused_with_a_429(artist_client):
    for n in range(5):
        assert (
            artist_client.post("/collab/calls/new/", call_fields(title=f"Call {n}")).status_code
            == 302
        )

    refused = artist_client.post("/collab/calls/new/", call_fields(title="Call 6"))

    assert refused.status_code == 429
    assert refused["Retry-After"] == str(24 * 3600)
    assert "That is 5 calls today" in refused.content.decode()
    assert Call.objects.count() == 5


def test_a_refused_call_does_not_use_up_the_days_allowance(artist_client):
    artist_client.post("/collab/calls/new/", call_fields(title="Same"))
    for _ in range(5):
        artist_client.post("/collab/calls/new/", call_fields(title="Same"))  # duplicates
    for n in range(4):
        assert (
            artist_client.post("/collab/calls/new/", call_fields(title=f"Call {n}")).status_code
            == 302
        )


def test_the_board_filters_by_skill_genre_and_compensation(client):
    CallFactory(
        title="Need drums", skills=["drummer"], genre="rock", compensation=Call.Compensation.PAID
    )
    CallFactory(
        title="Need a voice",
        skills=["vocalist", "lyricist"],
        genre="downtempo",
        compensation=Call.Compensation.FREE,
    )

    def titles(query):
        page = client.get(f"/collab/?{query}").content.decode()
        return {t for t in ("Need drums", "Need a voice") if t in page}

    assert titles("") == {"Need drums", "Need a voice"}
    assert titles("skill=lyricist") == {"Need a voice"}
    assert titles("genre=ROCK") == {"Need drums"}
    assert titles("compensation=paid") == {"Need drums"}
    assert titles("skill=drummer&compensation=free") == set()
    assert client.get("/collab/?skill=<script>&compensation=x&page=zz").status_code == 200


def test_the_board_hides_closed_expired_and_suspended_posters_calls(client):
    CallFactory(title="Open one")
    CallFactory(title="Closed one", status=Call.Status.CLOSED)
    CallFactory(title="Expired one", deadline=days_ahead(-1))
    hidden = CallFactory(title="Suspended one", poster=ArtistFactory(is_suspended=True))

    page = client.get("/collab/").content.decode()

    assert "Open one" in page
    assert not [t for t in ("Closed one", "Expired one", "Suspended one") if t in page]
    assert client.get(f"/collab/calls/{hidden.id}/").status_code == 404


def test_the_board_is_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    for _ in range(25):
        CallFactory(poster=ArtistFactory())
    with django_assert_max_num_queries(4):  # session-less: count + page of calls with posters
        page = client.get("/collab/")
    assert page.content.decode().count('class="call-tile"') == 20
    assert "Page 1 of 2" in page.content.decode()


def test_the_poster_closes_a_call_and_others_cannot(poster, artist_client, fan):
    call = CallFactory(poster=poster)
    other = signed_in(ArtistFactory().user)

    assert other.post(f"/collab/calls/{call.id}/close").status_code == 404
    assert signed_in(fan).post(f"/collab/calls/{call.id}/close").status_code == 404
    call.refresh_from_db()
    assert call.status == Call.Status.OPEN

    assert artist_client.post(f"/collab/calls/{call.id}/close").status_code == 302
    again = artist_client.post(f"/collab/calls/{call.id}/close", follow=True)
    call.refresh_from_db()
    assert call.status == Call.Status.CLOSED
    assert "This call was already closed." in again.content.decode()


def test_my_calls_lists_answers_waiting(poster, artist_client):
    from .factories import ApplicationFactory

    call = CallFactory(poster=poster, title="Bass wanted")
    ApplicationFactory(call=call)
    ApplicationFactory(call=call, status="declined")

    page = artist_client.get("/collab/mine/").content.decode()

    assert "Bass wanted" in page and "2 answers" in page and "1 waiting for you" in page
