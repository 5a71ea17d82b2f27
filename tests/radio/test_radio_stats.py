"""The radio's figures for artists: on their stats pages, the radio page, the CSV, and the
radio on/off choice of their tracks."""

import csv
import io
import random
import time
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from analytics import services as analytics
from analytics import stats
from artists.models import Artist
from radio import exposure, picking, services
from radio.models import ArtistExposure, RadioPlay, RadioSession, StationKind
from radio.stats import radio_figures
from tests.analytics.plays import listen
from tests.factories import ArtistFactory, ReleaseFactory, TrackFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _database_buffer(settings):
    settings.REDIS_URL = ""  # beacons buffered in the database, drained in the test


@pytest.fixture
def release(artist):
    return ReleaseFactory(artist=artist, title="Low Tide")


@pytest.fixture
def rope(artist, release):
    return TrackFactory(artist=artist, release=release, title="Rope", duration=200.0)


@pytest.fixture
def tide(artist, release):
    return TrackFactory(artist=artist, release=release, title="Tide", duration=100.0)


def aired(track, listener, user=None):
    return services.record_radio_play(track=track, listener_key=listener, user=user)


@pytest.fixture
def on_air(rope, tide, fan):
    """Rope played by the radio 4 times to 3 listeners, Tide once; feedback on both; one
    counted radio play of Rope and one play of it elsewhere (not radio)."""
    plays = [aired(rope, "a:1"), aired(rope, "a:2"), aired(rope, f"u:{fan.pk}", fan),
             aired(rope, "a:1"), aired(tide, "a:1")]  # fmt: skip
    services.record_feedback(play=plays[0], kind="like")
    services.record_feedback(play=plays[1], kind="dislike", reason="production")
    services.record_feedback(play=plays[2], kind="dislike")
    services.record_feedback(play=plays[3], kind="skip", at_seconds=15)
    services.record_feedback(play=plays[4], kind="dislike", reason="production")
    services.record_feedback(play=plays[4], kind="skip", at_seconds=99.9)
    issued = int(time.time()) - 3600
    listen(rope, seconds=31, listener="a:1", source="radio", issued=issued)
    listen(rope, seconds=40, listener="a:9", source="track", issued=issued)
    analytics.drain_beacons()
    return plays


def subject_of(artist, kind="artist", obj=None):
    return stats.access_subject(
        user=artist.user, kind=kind, public_id=obj.public_id if obj is not None else ""
    )


def period_of(subject, key="28d"):
    return stats.preset_period(key=key, subject=subject)


def test_an_artists_radio_figures_in_exact_numbers(artist, on_air, django_assert_num_queries):
    subject = subject_of(artist)
    # Tracks, radio plays, radio rollups, feedback, distinct listeners, comments.
    with django_assert_num_queries(6):
        radio = radio_figures(subject=subject, period=period_of(subject))

    t = radio.totals
    assert (t.handed, t.listeners, t.plays, t.heard_seconds) == (5, 3, 1, 31.0)
    assert (t.likes, t.dislikes, t.skips) == (1, 3, 2)
    assert (t.like_rate, t.dislike_rate, t.skip_rate) == (20, 60, 40)
    assert [(r.track.title, r.handed, r.listeners, r.plays, r.like_rate, r.dislike_rate,
             r.skip_rate) for r in radio.tracks] == [
        ("Rope", 4, 3, 1, 25, 50, 25),
        ("Tide", 1, 1, 0, 0, 100, 100),
    ]  # fmt: skip
    assert [(r.label, r.count, r.percent) for r in radio.reasons] == [
        ("Production", 2, 67),
        ("No reason given", 1, 33),
    ]
    bins = radio.skip_points.bins
    assert radio.skip_points.total == 2 and len(bins) == 20
    assert [(b.label, b.count, b.percent) for b in bins if b.count] == [
        ("5–10 %", 1, 50),
        ("95–100 %", 1, 50),
    ]


def test_hours_heard_is_one_figure_for_the_card_the_report_and_the_fairness_bonus(
    artist_client, artist, rope, tide, on_air
):
    """The radio handed out 4 × 200 s + 100 s, but listeners reported hearing 31 s of it:
    the artist's card, the exposure report and the picker's fairness bonus all say 31 s."""
    exposure.refresh_exposure()
    subject = subject_of(artist)

    card = radio_figures(subject=subject, period=period_of(subject)).totals
    [row] = exposure.exposure_report()
    picking.refresh_pool("discovery")
    bonus = {p.track_pk: p.exposure for p in picking.scored_pool("discovery")}

    assert card.heard_seconds == row.heard_seconds == 31.0
    assert ArtistExposure.objects.get(artist=artist).heard_seconds == 31.0
    assert bonus == {rope.pk: 1 / (1 + 31 / 3600), tide.pk: 1 / (1 + 31 / 3600)}
    page = artist_client.get("/studio/stats/").text
    assert "Hours heard" in page and "31 listener-seconds heard on the radio" in page
    assert "Airtime" not in page


def test_one_tracks_skip_points_are_in_minutes_and_seconds(artist, rope, on_air):
    subject = subject_of(artist, "track", rope)
    radio = radio_figures(subject=subject, period=period_of(subject))

    assert (radio.totals.handed, radio.totals.listeners, radio.totals.skip_rate) == (4, 3, 25)
    assert [(b.label, b.count) for b in radio.skip_points.bins if b.count] == [("0:10–0:20", 1)]
    assert radio.skip_points.bins[-1].label == "3:10–3:20"
    assert radio.skip_points.busiest.label == "0:10–0:20"


def test_the_period_chooser_applies_to_the_radio(artist, rope, on_air):
    long_ago = timezone.now() - timedelta(days=40)
    RadioPlay.objects.filter(pk=on_air[1].pk).update(started_at=long_ago)
    Artist.objects.filter(pk=artist.pk).update(created_at=long_ago - timedelta(days=1))
    artist.refresh_from_db()
    subject = subject_of(artist)

    recent = radio_figures(subject=subject, period=period_of(subject, "28d")).totals
    ever = radio_figures(subject=subject, period=period_of(subject, "all")).totals
    # Feedback goes with its radio play: the old play's dislike is not in the 28 days either.
    assert (recent.handed, recent.listeners, recent.dislikes, recent.dislike_rate) == (4, 2, 2, 50)
    assert (ever.handed, ever.listeners, ever.dislikes, ever.dislike_rate) == (5, 3, 3, 60)


def test_query_counts_do_not_grow_with_radio_traffic(artist, rope, tide, on_air,
                                                     django_assert_num_queries):  # fmt: skip
    subject = subject_of(artist)
    for n in range(30):
        play = aired([rope, tide][n % 2], f"a:x{n}")
        services.record_feedback(play=play, kind="skip", at_seconds=n)
    for n in range(25):
        services.add_timed_comment(author=UserFactory(), track=rope, at_seconds=n, body=f"c{n}")

    with django_assert_num_queries(7):  # … and a count: more comments than are shown
        radio = radio_figures(subject=subject, period=period_of(subject))
    assert radio.totals.handed == 35 and len(radio.comments) == 20 and radio.comment_count == 25


def test_the_dashboard_shows_the_radio_with_comments_escaped(artist_client, rope, on_air, fan):
    comment = services.add_timed_comment(
        author=fan, track=rope, at_seconds=83.6, body="<script>alert(1)</script> the bridge!"
    )

    response = artist_client.get("/studio/stats/")

    assert response.status_code == 200
    page = response.text
    assert 'id="radio-heading"' in page and "Rope" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; the bridge!" in page
    assert "<script>alert(1)" not in page
    assert f'href="{rope.get_absolute_url()}#comment-{comment.pk}"' in page and "at 1:23" in page
    assert "Production" in page and "67 %" in page
    assert 'class="chart-bar"' in page and "Skips by moment in the track" in page


def test_hidden_comments_leave_the_artists_figures(artist, rope, on_air, fan):
    kept = services.add_timed_comment(author=fan, track=rope, at_seconds=3, body="kept")
    hidden = services.add_timed_comment(author=fan, track=rope, at_seconds=4, body="spam")
    hidden.hidden_at = timezone.now()
    hidden.save()
    subject = subject_of(artist)

    radio = radio_figures(subject=subject, period=period_of(subject))

    assert radio.comments == [kept] and radio.comment_count == 1


def test_a_track_and_a_release_page_show_their_own_radio(artist_client, rope, tide, release,
                                                         on_air):  # fmt: skip
    track_page = artist_client.get(f"/studio/stats/track/{tide.public_id}/")
    release_page = artist_client.get(f"/studio/stats/release/{release.public_id}/")

    assert track_page.context["board"].radio.totals.handed == 1
    assert release_page.context["board"].radio.totals.handed == 5


def test_no_radio_yet_says_so(artist_client, rope):
    rope.radio_enabled = False
    rope.save()
    page = artist_client.get(f"/studio/stats/track/{rope.public_id}/").text
    assert "The radio has not played this track in this period." in page
    assert "This track is out of the radio" in page


def test_the_radio_csv(artist_client, on_air, rope):
    rope.title = "=cmd()"
    rope.save()
    response = artist_client.get("/studio/stats/radio.csv?period=7d")

    assert response.status_code == 200
    assert "radio" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows == [
        ["track", "radio plays", "listeners", "counted plays", "hours heard", "likes", "likes %",
         "dislikes", "dislikes %", "skips", "skips %"],
        ["'=cmd()", "4", "3", "1", "0.0", "1", "25", "2", "50", "1", "25"],
        ["Tide", "1", "1", "0", "0.0", "0", "0", "1", "100", "1", "100"],
    ]  # fmt: skip


# --- Who sees them ----------------------------------------------------------------------------


def test_the_artist_and_staff_see_a_tracks_radio_page(client, artist, rope, on_air, admin_user):
    url = reverse("radio:stats", args=["track", rope.public_id])
    for user in (artist.user, admin_user):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200
        assert response.context["radio"].totals.handed == 4


def test_nobody_else_sees_radio_figures(client, artist, rope, release, on_air, outsider):
    urls = [
        reverse("radio:stats", args=["track", rope.public_id]),
        reverse("radio:stats", args=["release", release.public_id]),
        reverse("radio:stats", args=["artist", artist.slug]),
        f"/studio/stats/track/{rope.public_id}/",
        f"/studio/stats/track/{rope.public_id}/radio.csv",
    ]
    for user in (None, outsider, ArtistFactory().user):
        client.logout()
        if user:
            client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 404, (user, url)


def test_an_artist_sees_only_their_own_artist_radio_page(client, artist, on_air):
    other = ArtistFactory()
    client.force_login(artist.user)
    assert client.get(reverse("radio:stats", args=["artist", artist.slug])).status_code == 200
    assert client.get(reverse("radio:stats", args=["artist", other.slug])).status_code == 404


def test_staff_get_404_for_unknown_subjects(client, admin_user):
    client.force_login(admin_user)
    for kind, key in (("track", "nope"), ("playlist", "x"), ("artist", "nobody")):
        assert client.get(reverse("radio:stats", args=[kind, key])).status_code == 404


def test_a_bad_range_on_the_radio_page_is_a_400_with_the_message(artist_client, rope):
    url = reverse("radio:stats", args=["track", rope.public_id])
    response = artist_client.get(f"{url}?period=custom&start=2026-02-30&end=2026-03-01")
    assert response.status_code == 400 and "Enter a valid date." in response.text


# --- On and off the radio ---------------------------------------------------------------------


def test_the_track_form_takes_a_track_off_the_radio(artist_client, rope):
    data = {"title": rope.title, "genre": "", "tags": "", "credits": "", "release_date": "",
            "licence": rope.licence, "visibility": rope.visibility}  # fmt: skip

    artist_client.post(reverse("tracks:track_edit", args=[rope.public_id]), data)
    rope.refresh_from_db()
    assert rope.radio_enabled is False

    artist_client.post(
        reverse("tracks:track_edit", args=[rope.public_id]), {**data, "radio_enabled": "on"}
    )
    rope.refresh_from_db()
    assert rope.radio_enabled is True


def test_the_studio_puts_ticked_tracks_on_and_off_the_radio(artist_client, rope, tide):
    url = reverse("radio:studio")
    assert "Rope" in artist_client.get(url).text

    response = artist_client.post(
        url, {"tracks": [rope.public_id, tide.public_id, rope.public_id], "radio": "off"}
    )
    assert response.status_code == 302
    rope.refresh_from_db(), tide.refresh_from_db()
    assert (rope.radio_enabled, tide.radio_enabled) == (False, False)
    assert "2 tracks put off the radio." in artist_client.get(url).text

    artist_client.post(url, {"tracks": [tide.public_id], "radio": "on"})
    tide.refresh_from_db()
    assert tide.radio_enabled is True


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"radio": "off"}, "Tick at least one track first."),
        ({"tracks": ["OTHER"], "radio": "off"}, "not yours"),
        ({"tracks": ["ROPE"]}, "Choose whether to put them on or off the radio."),
        ({"tracks": ["ROPE"], "radio": "<b>sideways</b>"}, "Select a valid choice."),
    ],
)
def test_bad_choices_change_nothing(artist_client, rope, data, message):
    other = TrackFactory(title="Not mine")
    ids = {"ROPE": rope.public_id, "OTHER": other.public_id}
    data = {**data, "tracks": [ids[t] for t in data.get("tracks", [])]}

    response = artist_client.post(reverse("radio:studio"), data)

    assert response.status_code == 400
    assert message in response.text and "<b>sideways</b>" not in response.text
    rope.refresh_from_db(), other.refresh_from_db()
    assert rope.radio_enabled and other.radio_enabled


def test_the_studio_radio_page_is_for_artists(client, fan):
    assert client.get(reverse("radio:studio")).status_code == 302  # to the login
    client.force_login(fan)
    assert client.get(reverse("radio:studio"))["Location"] == reverse("artists:create")


def test_studio_links_to_the_radio_choices(artist_client):
    assert f'href="{reverse("radio:studio")}"' in artist_client.get("/studio/").text


def test_an_opted_out_track_never_plays(artist, rope, tide):
    rope.radio_enabled = False
    rope.save()
    others = [TrackFactory(renditions=False) for _ in range(6)]
    rng = random.Random(7)
    heard = set()
    for n in range(20):
        session = RadioSession.objects.create(listener_key=f"a:{n}", kind=StationKind.DISCOVERY)
        for _ in range(len(others) + 1):
            heard.add(services.next_track(session=session, rng=rng).track_id)
    assert heard == {tide.pk, *(t.pk for t in others)}
