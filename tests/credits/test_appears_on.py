"""A confirmed credit puts the music on the credited artist's page ("Appears on") and in their
followers' feeds — only what anyone may see, in a fixed number of queries."""

from django.urls import reverse
from django.utils import timezone

from artists.models import Follow
from tests.credits.factories import CreditFactory
from tests.factories import ArtistFactory, ReleaseFactory, TrackFactory


def appears_on(client, artist) -> str:
    html = client.get(artist.get_absolute_url()).content.decode()
    return html[html.index('id="appears-on"') :] if 'id="appears-on"' in html else ""


def test_confirmed_credits_appear_on_the_credited_artists_page(client, artist, ada):
    track = TrackFactory(artist=artist, title="Night Bus")
    release = ReleaseFactory(artist=artist, title="Shed Tapes")
    TrackFactory(artist=artist, release=release)
    CreditFactory(track=track, artist=ada)
    CreditFactory(track=None, release=release, artist=ada, role="producer")
    CreditFactory(artist=ada, track__title="Still Asked", status="pending")
    CreditFactory(artist=ada, track__title="Said No", status="declined")

    section = appears_on(client, ada)

    assert "Night Bus" in section and "Shed Tapes" in section
    assert "by Mira Sol" in section  # whose music it is
    assert "Still Asked" not in section and "Said No" not in section


def test_hidden_music_stays_off_the_credited_artists_page(client, artist, ada):
    for title, fields in (
        ("Private One", {"visibility": "private"}),
        ("Unlisted One", {"visibility": "unlisted"}),
        ("Taken One", {"taken_down_at": timezone.now()}),
        ("Processing One", {"status": "processing"}),
    ):
        CreditFactory(artist=ada, track=TrackFactory(artist=artist, title=title, **fields))
    gone = ArtistFactory(name="Gone", is_suspended=True)
    CreditFactory(artist=ada, track=TrackFactory(artist=gone, title="Suspended Uploader"))
    private = ReleaseFactory(artist=artist, title="Private LP", visibility="private")
    TrackFactory(artist=artist, release=private)
    CreditFactory(artist=ada, track=None, release=private)

    assert appears_on(client, ada) == ""


def test_a_credit_confirmed_shows_at_once_despite_the_page_cache(client, settings, artist, ada):
    settings.PAGE_CACHE = True
    credit = CreditFactory(artist=ada, track__artist=artist, track__title="Night Bus")
    credit.status = "pending"
    credit.save()
    assert appears_on(client, ada) == ""  # now cached
    client.force_login(ada.user)
    client.post(reverse("credits:credit_answer", args=[credit.id]), {"answer": "confirm"})
    client.logout()

    assert "Night Bus" in appears_on(client, ada)


def test_the_artist_page_costs_the_same_queries_for_many_credits(
    client, artist, ada, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def credit(n):
        for _ in range(n):
            CreditFactory(artist=ada, track=TrackFactory(artist=artist))
            release = ReleaseFactory(artist=artist)
            TrackFactory(artist=artist, release=release)
            CreditFactory(artist=ada, track=None, release=release)

    credit(1)
    with CaptureQueriesContext(connection) as one:
        client.get(ada.get_absolute_url())
    credit(10)
    with django_assert_num_queries(len(one)):
        assert client.get(ada.get_absolute_url()).status_code == 200


# The feed.


def feed(client, user) -> str:
    client.force_login(user)
    html = client.get("/").content.decode()
    return html[html.index("New from artists you follow") : html.index('id="new-releases"')]


def test_followers_of_a_credited_artist_see_the_release_in_their_feed(client, fan, artist, ada):
    Follow.objects.create(user=fan, artist=ada)
    release = ReleaseFactory(artist=artist, title="Shed Tapes")
    on_release = TrackFactory(artist=artist, release=release)
    CreditFactory(artist=ada, track=on_release)  # a credit on one of its tracks
    single = TrackFactory(artist=artist, title="Loose Single")
    CreditFactory(artist=ada, track=single, role="producer")
    asked = TrackFactory(artist=artist, title="Only Asked")
    CreditFactory(artist=ada, track=asked, status="pending")
    hidden = TrackFactory(artist=artist, title="Secret", visibility="private")
    CreditFactory(artist=ada, track=hidden)

    section = feed(client, fan)

    assert "Shed Tapes" in section and "Loose Single" in section
    assert "Only Asked" not in section and "Secret" not in section


def test_the_feed_with_credits_costs_the_same_queries_for_one_follow_or_many(
    client, fan, artist, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def follow_credited(n):
        for _ in range(n):
            guest = ArtistFactory()
            Follow.objects.create(user=fan, artist=guest)
            release = ReleaseFactory(artist=artist)
            CreditFactory(artist=guest, track=TrackFactory(artist=artist, release=release))
            CreditFactory(artist=guest, track=TrackFactory(artist=artist))

    follow_credited(1)
    client.force_login(fan)
    with CaptureQueriesContext(connection) as one:
        client.get("/")
    follow_credited(8)
    with django_assert_num_queries(len(one)):
        html = client.get("/").content.decode()
    section = html[html.index("New from artists you follow") : html.index('id="new-releases"')]
    assert section.count('class="tile"') == 9 and section.count("track-row-title") == 9
