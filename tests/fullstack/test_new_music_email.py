"""A follower hears about new music: the real worker processes an upload, records the
announcement and mails it, once."""

import time

import pytest

from artists.models import Announcement
from artists.services import set_following
from tests.audio_files import audio_file
from tests.factories import UserFactory
from tests.fullstack.conftest import WORKER_LOG
from tests.fullstack.test_upload_to_stream import processed, upload_through_browser
from tracks.models import Track

pytestmark = [
    pytest.mark.fullstack,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("celery_worker"),
]


def finished_announcement(track: Track, timeout: float = 30) -> Announcement:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        announcement = Announcement.objects.filter(track=track, finished_at__isnull=False).first()
        if announcement:
            return announcement
        time.sleep(0.25)
    pytest.fail(f"no finished announcement for {track} after {timeout:.0f} s")


def test_followers_are_mailed_once_when_the_worker_finishes_a_new_single(
    request, artist, artist_client, s3
):
    fan = UserFactory(username="follower", email="follower@example.com")
    quiet = UserFactory(username="quiet", email="quiet@example.com", email_new_releases=False)
    for user in (fan, quiet):
        set_following(user=user, artist=artist, on=True)

    completed = upload_through_browser(
        artist_client, audio_file("mp3", seconds=4).read_bytes(), "first-light.mp3"
    )
    track = processed(completed["track"])
    assert track.status == Track.Status.READY

    announcement = finished_announcement(track)
    assert announcement.sent == 1  # the follower who opted out got nothing

    # The worker's mailer (console in this configuration) wrote exactly one message, to the fan.
    log = request.config.stash[WORKER_LOG].read_text(errors="replace")
    assert log.count(f"Subject: New from {artist.name}:") == 1
    assert "To: follower@example.com" in log
    assert "quiet@example.com" not in log
    assert "List-Unsubscribe-Post: List-Unsubscribe=One-Click" in log
