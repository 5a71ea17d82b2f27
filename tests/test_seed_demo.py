"""`make run` seeds a demo a visitor can explore at once: artists, music and fans' libraries."""

import pytest
from django.core.management import call_command
from django.test import Client

from analytics.models import PlayEvent
from artists.models import Artist, Follow
from collab.models import Application, Call
from credits.models import Credit, SplitProposal
from messaging.models import Message
from playlists.models import Playlist, PlaylistItem
from radio import services
from radio.models import (
    ArtistExposure,
    ArtistSimilarity,
    Feedback,
    RadioPlay,
    StationKind,
    TimedComment,
)
from radio.stations import mood_counts
from tracks.models import Track

pytestmark = pytest.mark.django_db(transaction=True)


def test_seed_demo_builds_a_listenable_catalogue_with_libraries_and_is_idempotent():
    call_command("seed_demo", seconds=5, stdout=open("/dev/null", "w"))  # noqa: SIM115
    counts = (Track.objects.count(), Playlist.objects.count(), PlaylistItem.objects.count())

    public = Track.objects.filter(visibility="public")
    assert public.filter(status=Track.Status.READY).count() == 11
    night = Playlist.objects.get(title="Night drives")
    assert [i.track.title for i in night.items.order_by("rank")][:2] == [
        "Sodium Lights",
        "Overhead Wires",
    ]
    assert night.item_count == 5
    sea = Playlist.objects.get(title="Sea shanties & static")
    assert sea.collaborators.filter(email="fan@example.com").exists()
    assert Follow.objects.filter(user__email="fan@example.com").count() == 2

    # A living board: open artists in the directory, two open calls, one answer waiting.
    board = Client().get("/collab/").content.decode()
    assert "A voice for a night-bus ballad" in board and "Field recordings" in board
    directory = Client().get("/collab/artists/?skill=vocalist&open=on").content.decode()
    assert "The Lantern Choir" in directory and "Kōji Drift" not in directory
    answer = Application.objects.get()
    assert (answer.applicant.slug, answer.status) == ("the-lantern-choir", "accepted")
    # Mira's call shares a private rough sketch: the choir hears it, visitors do not.
    call = answer.call
    assert call.reference_track.visibility == "private" and call.reference_track.is_playable
    choir = Client()
    choir.force_login(answer.applicant.user)
    assert choir.get(f"/collab/calls/{call.id}/reference").status_code == 200
    assert Client().get(f"/collab/calls/{call.id}/reference").status_code == 404
    # … and they have started talking: the choir has Mira's messages in its inbox.
    inbox = choir.get("/messages/").content.decode()
    assert "Mira Sol" in inbox and "84 bpm" in inbox

    # Credits: Kōji Drift mixed Mira's EP (on his page too); the choir has a split to answer.
    koji_page = Client().get("/@koji-drift/").content.decode()
    assert 'id="appears-on"' in koji_page and "Night Bus Home" in koji_page
    assert SplitProposal.objects.get(status="pending").shares.count() == 2

    # Two months of listening: the artist's stats page has plays, listeners and sources.
    plays = PlayEvent.objects.filter(counted=True).count()
    assert plays > 300
    assert not PlayEvent.objects.filter(flagged=True).exists()
    mira = Artist.objects.get(slug="mira-sol")
    client = Client()
    client.force_login(mira.user)
    page = client.get("/studio/stats/?period=12m")
    board = page.context["board"]
    totals = {t.key: t.value for t in board.totals}
    assert totals["plays"] == PlayEvent.objects.filter(artist_id=mira.pk, counted=True).count() > 0
    assert totals["listeners"] > 0

    # Two weeks of radio: likes, dislikes with reasons, skips and timed comments.
    radio = (RadioPlay.objects.count(), Feedback.objects.count(), TimedComment.objects.count())
    assert radio[0] > 100
    assert Feedback.objects.filter(kind="dislike").exclude(reason="").exists()
    assert Feedback.objects.filter(kind="skip", at_seconds__isnull=False).exists()
    assert radio[2] > 0
    # … heard through the player's beacons: radio plays count, and the artist's hours heard
    # are the figure the exposure report and the fairness bonus read.
    on_radio = board.radio.totals
    assert on_radio.handed > 0 and on_radio.plays > 0
    mira_heard = ArtistExposure.objects.get(artist=mira).heard_seconds
    assert on_radio.heard_seconds == pytest.approx(mira_heard) and mira_heard > 0

    # Every mood station has music, and artist radio has neighbours from the first day.
    assert [n for _, n in mood_counts()] == [3, 2, 3, 3, 1, 2, 3, 2, 2]  # in the order of MOODS
    assert ArtistSimilarity.objects.count() == 6  # three artists, each with the other two
    assert set(
        ArtistSimilarity.objects.filter(artist=mira).values_list("other__slug", flat=True)
    ) == {
        "the-lantern-choir",
        "koji-drift",
    }

    call_command("seed_demo", seconds=5, stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert [n for _, n in mood_counts()] == [3, 2, 3, 3, 1, 2, 3, 2, 2]
    assert ArtistSimilarity.objects.count() == 6
    assert (
        RadioPlay.objects.count(),
        Feedback.objects.count(),
        TimedComment.objects.count(),
    ) == radio
    assert (Track.objects.count(), Playlist.objects.count(), PlaylistItem.objects.count()) == counts
    assert PlayEvent.objects.filter(counted=True).count() == plays
    assert (Call.objects.count(), Application.objects.count()) == (2, 1)
    assert Message.objects.count() == 3
    assert (Credit.objects.count(), SplitProposal.objects.count()) == (2, 1)

    # Mira Sol's artist radio plays her neighbours too (it used to stop after one track).
    session = services.start_station(
        listener_key="a:seed", user=None, kind=StationKind.ARTIST, artist=mira
    )
    heard = [services.next_track(session=session).track.artist.slug for _ in range(6)]
    assert len(set(heard)) >= 2  # never the same artist twice in a row
