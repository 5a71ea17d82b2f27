"""The dashboard pages: who may see them, what they show, CSV files and bad ranges."""

import csv
import io
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from analytics import services, stats
from tests.analytics.plays import listen
from tests.analytics.test_stats import at
from tests.factories import ArtistFactory, ReleaseFactory, TrackFactory

pytestmark = pytest.mark.django_db
TODAY = stats.today()


@pytest.fixture
def release(artist):
    return ReleaseFactory(artist=artist, title="Low Tide", release_date=TODAY)


@pytest.fixture
def song(artist, release):
    return TrackFactory(artist=artist, release=release, title="Rope", duration=200.0)


def play(track, *, days_ago=0, **kwargs):
    listen(track, seconds=31, issued=at(days_ago), **kwargs)
    services.drain_beacons()


def pages(release, song):
    return [
        "/studio/stats/",
        f"/studio/stats/release/{release.public_id}/",
        f"/studio/stats/track/{song.public_id}/",
        "/studio/stats/daily.csv",
        f"/studio/stats/track/{song.public_id}/tracks.csv",
        f"/studio/stats/live/{release.public_id}",
    ]


def test_the_owner_sees_the_play_on_every_page(artist_client, release, song):
    play(song)
    for url in pages(release, song)[:3]:
        response = artist_client.get(url)
        assert response.status_code == 200, url
        assert response.context["board"].totals[0].value == 1
        assert "Rope" in response.text


def test_other_people_get_404(client, release, song, outsider):
    play(song)
    for user in (None, outsider):
        if user:
            client.force_login(user)
        for url in pages(release, song):
            assert client.get(url).status_code == 404, (user, url)


def test_another_artist_sees_only_their_own_numbers(client, release, song):
    play(song)
    client.force_login(ArtistFactory().user)
    for url in pages(release, song)[1:3] + pages(release, song)[4:]:
        assert client.get(url).status_code == 404, url
    own = client.get("/studio/stats/")
    assert own.context["board"].totals[0].value == 0 and "Rope" not in own.text


def test_taken_down_music_has_no_stats(artist_client, release, song):
    song.taken_down_at = timezone.now()
    song.save()
    assert artist_client.get(f"/studio/stats/track/{song.public_id}/").status_code == 404
    assert artist_client.get(f"/studio/stats/track/{song.public_id}/daily.csv").status_code == 404
    assert artist_client.get(f"/studio/stats/release/{release.public_id}/").status_code == 200


def test_unknown_kinds_and_tables_are_404(artist_client, song):
    assert artist_client.get(f"/studio/stats/artist/{song.public_id}/").status_code == 404
    assert artist_client.get("/studio/stats/passwords.csv").status_code == 404


def test_studio_track_and_release_pages_link_to_stats(artist_client, release, song):
    assert 'href="/studio/stats/"' in artist_client.get("/studio/").text
    stats_url = f"/studio/stats/release/{release.public_id}/"
    assert stats_url in artist_client.get(release.get_absolute_url()).text
    assert (
        f"/studio/stats/track/{song.public_id}/" in artist_client.get(song.get_absolute_url()).text
    )


def test_listeners_do_not_see_the_stats_link(client, song):
    assert "/studio/stats/" not in client.get(song.get_absolute_url()).text


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("period=custom&start=2026-02-30&end=2026-03-01", "Enter a valid date."),
        ("period=custom&start=yesterday&end=", "Enter a valid date."),
        ("period=custom&start=2025-03-02&end=2025-03-01", "The start date is after the end date."),
        ("period=custom&start=2020-01-01", "Choose both a start and an end date."),
        ("period=custom&start=2015-01-01&end=2025-01-01", "at most 1098 days"),
        ("period=fortnight", "Select a valid choice."),
    ],
)
def test_bad_ranges_are_refused_with_a_message(artist_client, song, query, message):
    response = artist_client.get(f"/studio/stats/?{query}")
    assert response.status_code == 400
    assert message in response.text
    assert response.context["board"].period.key == "28d"  # the page still shows something
    csv_response = artist_client.get(f"/studio/stats/daily.csv?{query}")
    assert csv_response.status_code == 400 and message in csv_response.text


def test_future_end_dates_are_refused(artist_client):
    tomorrow = TODAY + timedelta(days=1)
    response = artist_client.get(f"/studio/stats/?period=custom&start={TODAY}&end={tomorrow}")
    assert response.status_code == 400 and "in the future" in response.text


def test_a_custom_range(artist_client, song):
    play(song, days_ago=3)
    play(song, days_ago=10)
    start, end = TODAY - timedelta(days=4), TODAY - timedelta(days=2)
    response = artist_client.get(f"/studio/stats/?period=custom&start={start}&end={end}")
    assert response.status_code == 200
    board = response.context["board"]
    assert (board.period.start, board.period.days, board.totals[0].value) == (start, 3, 1)
    assert board.totals[0].previous == 0  # 5–7 days ago: nothing


def rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_csv_files(artist_client, song, artist):
    play(song, days_ago=1)
    play(song, days_ago=1, source="embed", origin="https://blog.example")
    daily = artist_client.get("/studio/stats/daily.csv?period=7d")
    assert daily["Content-Type"] == "text/csv; charset=utf-8"
    week = f"{TODAY - timedelta(days=6):%Y%m%d}-{TODAY:%Y%m%d}"
    assert daily["Content-Disposition"] == f'attachment; filename="mira-sol-daily-{week}.csv"'
    table = rows(daily)
    assert table[0] == ["day", "plays", "listeners"] and len(table) == 8
    assert table[-2] == [str(TODAY - timedelta(days=1)), "2", "1"]
    assert rows(artist_client.get("/studio/stats/sources.csv"))[1:] == [
        ["Embedded player", "1", "1", "50"], ["Track page", "1", "1", "50"]
    ]  # fmt: skip
    totals = rows(artist_client.get("/studio/stats/totals.csv?period=7d"))
    assert totals[1] == ["Plays", "2", "0", "2", "new"]
    for table in ("tracks", "playlists", "sites", "segments"):
        assert artist_client.get(f"/studio/stats/{table}.csv").status_code == 200


def test_csv_cells_cannot_become_formulas(artist_client, artist):
    evil = TrackFactory(artist=artist, title='=HYPERLINK("http://x.example","hi")', duration=99.0)
    play(evil)
    table = rows(artist_client.get("/studio/stats/tracks.csv"))
    assert table[1][0] == '\'=HYPERLINK("http://x.example","hi")'
    for title in ("+1", "-1", "@SUM(A1)"):
        evil.title = title
        evil.save()
        assert rows(artist_client.get("/studio/stats/tracks.csv"))[1][0] == "'" + title


def test_query_counts_do_not_grow_with_plays(artist_client, release, song, fan,
                                             django_assert_max_num_queries):  # fmt: skip
    urls = ["/studio/stats/", f"/studio/stats/release/{release.public_id}/",
            "/studio/stats/?period=all", "/studio/stats/tracks.csv"]  # fmt: skip
    play(song)
    play(song, source="embed", origin="https://b.example", days_ago=1, listener="a:b")
    play(song, source="playlist", context="PL1", days_ago=2)

    def counts():
        cache.clear()  # listener totals are cached: count the queries of a first visit
        found = []
        for url in urls:
            # 24 for the dashboard, up to 7 for its radio part (tests/radio/test_radio_stats.py)
            with django_assert_max_num_queries(31) as captured:
                assert artist_client.get(url).status_code == 200
            found.append(len(captured))
        return found

    for url in urls:  # the first visit of the day also computes and keeps audience segments
        artist_client.get(url)
    before = counts()
    for n in range(30):
        listen(song, seconds=31 + n, issued=at(n % 20), listener=f"a:{n}",
               source=["track", "embed", "playlist"][n % 3], origin="https://b.example",
               context="PL1")  # fmt: skip
    services.drain_beacons()
    assert counts() == before


def test_the_live_counter_for_a_new_release(artist_client, release, song):
    response = artist_client.get(f"/studio/stats/live/{release.public_id}")
    assert 'hx-trigger="every 5s"' in response.text and "0 plays" in response.text
    assert artist_client.get(f"/studio/stats/live/{release.public_id}?seen=0").status_code == 204
    play(song)
    response = artist_client.get(f"/studio/stats/live/{release.public_id}?seen=0")
    assert "1 play<" in response.text and """hx-vals='{"seen": 1}'""" in response.text
    dashboard = artist_client.get("/studio/stats/")
    assert f'id="live-{release.public_id}"' in dashboard.text


def test_the_live_counter_stops_after_the_first_week(artist_client, release, song):
    release.release_date = TODAY - timedelta(days=7)
    release.save()
    response = artist_client.get(f"/studio/stats/live/{release.public_id}")
    assert "hx-trigger" not in response.text and "first week is over" in response.text
    assert f'id="live-{release.public_id}"' not in artist_client.get("/studio/stats/").text


def test_a_csv_file_reads_only_its_own_table(artist_client, song):
    play(song)
    with CaptureQueriesContext(connection) as queries:
        assert artist_client.get("/studio/stats/daily.csv?period=12m").status_code == 200
    read = " ".join(query["sql"] for query in queries.captured_queries)
    assert "analytics_listenerday" not in read and "analytics_referrerrollup" not in read
