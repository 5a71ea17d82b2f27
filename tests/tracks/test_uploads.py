"""From a file on a musician's disk to a Track waiting for the pipeline (services level)."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from tests.audio_files import audio_bytes, audio_file, send_upload, stored_audio
from tests.factories import ArtistFactory, ReleaseFactory
from tracks import services
from tracks.audio.formats import ACCEPTED_DESCRIPTION
from tracks.models import Track, Upload, Visibility, audio_storage
from tracks.services import UploadRejected

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n" * 20


def start(artist, filename="song.flac", size=1000, **kwargs):
    return services.start_upload(
        user=artist.user, artist=artist, filename=filename, size=size, **kwargs
    )


def put_in_storage(upload, data: bytes) -> None:
    """Bytes arriving behind our back, as with a direct-to-S3 upload."""
    upload.key = audio_storage().save(upload.key, ContentFile(data))
    upload.save(update_fields=["key"])


# --- Starting ------------------------------------------------------------------------------------


def test_starting_an_upload_reserves_a_place_and_says_where_to_send_the_bytes(artist):
    upload, target = start(artist, filename="Night Swim.FLAC", size=123_456)

    assert upload.state == Upload.State.STARTED
    assert upload.filename == "Night Swim.FLAC"
    assert upload.key.startswith(f"originals/{artist.id}/") and upload.key.endswith(".flac")
    receiving_view = reverse("tracks:upload_receive", kwargs={"upload_id": upload.id})
    assert target == {"url": receiving_view, "fields": {}, "direct": False}


def test_it_keeps_only_the_file_name_of_a_path_a_browser_sends(artist):
    upload, _ = start(artist, filename="C:\\Users\\mira\\Music\\final mix.wav")

    assert upload.filename == "final mix.wav"


@pytest.mark.parametrize("filename", ["setup.exe", "song.mid", "song"])
def test_it_refuses_a_name_that_is_not_audio_and_lists_what_it_accepts(artist, filename):
    with pytest.raises(UploadRejected) as caught:
        start(artist, filename=filename)

    assert ACCEPTED_DESCRIPTION in str(caught.value)
    assert not Upload.objects.exists()


def test_it_refuses_an_empty_file_before_it_is_sent(artist):
    with pytest.raises(UploadRejected, match=r"is empty \(0 bytes\)"):
        start(artist, size=0)


def test_it_refuses_a_file_over_the_size_limit_before_it_is_sent(artist, settings):
    settings.UPLOAD_MAX_BYTES = 10_000

    with pytest.raises(UploadRejected, match=r"the limit is 9\.8"):
        start(artist, size=10_001)
    assert not Upload.objects.exists()


def test_it_refuses_to_add_a_file_to_another_artists_release(artist):
    someone_elses = ReleaseFactory(artist=ArtistFactory())

    with pytest.raises(UploadRejected, match="belongs to another artist"):
        start(artist, release=someone_elses)


# --- Receiving -----------------------------------------------------------------------------------


def test_receiving_stores_the_bytes_under_the_reserved_key(artist):
    data = audio_bytes("flac", seconds=3)

    upload = send_upload(artist, data, "song.flac")

    assert stored_audio() == [upload.key]
    with audio_storage().open(upload.key, "rb") as handle:
        assert handle.read() == data


def test_it_refuses_to_receive_an_empty_file(artist):
    upload, _ = start(artist)

    with pytest.raises(UploadRejected, match="is empty"):
        services.receive_upload_file(upload=upload, file=ContentFile(b"", name="song.flac"))
    assert stored_audio() == []


def test_it_refuses_to_receive_more_bytes_than_the_limit(artist, settings):
    upload, _ = start(artist, size=1000)
    settings.UPLOAD_MAX_BYTES = 1000

    with pytest.raises(UploadRejected, match="the limit is"):
        services.receive_upload_file(upload=upload, file=ContentFile(b"x" * 1001))
    assert stored_audio() == []


def test_it_receives_a_file_only_once(artist):
    upload = send_upload(artist, audio_file("flac", seconds=3))

    with pytest.raises(UploadRejected, match="already been received"):
        services.receive_upload_file(upload=upload, file=ContentFile(PDF, name="song.flac"))
    assert len(stored_audio()) == 1


def test_it_receives_nothing_for_a_finished_upload(artist):
    upload = send_upload(artist, audio_file("flac", seconds=3))
    services.complete_upload(upload=upload)
    upload.refresh_from_db()

    with pytest.raises(UploadRejected, match="already been finished"):
        services.receive_upload_file(upload=upload, file=ContentFile(PDF, name="x.flac"))


# --- Completing ----------------------------------------------------------------------------------


def test_completing_makes_a_processing_track_named_after_the_file(artist):
    release = ReleaseFactory(artist=artist)
    upload = send_upload(
        artist, audio_file("wav", seconds=3), "02 Night Swim.wav", release=release, position=2
    )

    track = services.complete_upload(upload=upload, visibility=Visibility.UNLISTED)

    assert track.status == Track.Status.PROCESSING
    assert track.title == "02 Night Swim"
    assert track.artist == artist
    assert (track.release, track.position) == (release, 2)
    assert track.visibility == Visibility.UNLISTED
    assert track.original.name == upload.key
    assert track.original_filename == "02 Night Swim.wav"
    assert track.original_size == audio_file("wav", seconds=3).stat().st_size
    assert track.processing_attempts == 1
    upload.refresh_from_db()
    assert (upload.state, upload.track) == (Upload.State.COMPLETED, track)


def test_completing_sends_the_track_to_processing_once_the_transaction_commits(
    artist, django_capture_on_commit_callbacks
):
    upload = send_upload(artist, audio_file("flac", seconds=3))

    with django_capture_on_commit_callbacks() as callbacks:
        track = services.complete_upload(upload=upload)
        track.refresh_from_db()
        assert track.status == Track.Status.PROCESSING  # nothing ran before the commit

    for callback in callbacks:
        callback()
    track.refresh_from_db()
    assert track.status == Track.Status.READY


def test_completing_twice_makes_one_track(artist):
    upload = send_upload(artist, audio_file("flac", seconds=3))

    first = services.complete_upload(upload=upload)
    second = services.complete_upload(upload=upload)

    assert first == second
    assert Track.objects.count() == 1


def test_an_unknown_visibility_falls_back_to_public(artist):
    upload = send_upload(artist, audio_file("flac", seconds=3))

    track = services.complete_upload(upload=upload, visibility="everyone-ever")

    assert track.visibility == Visibility.PUBLIC


@pytest.mark.parametrize(
    ("content", "named"),
    [
        (PDF, "is a PDF document, not audio"),
        (b"PK\x03\x04" + b"\x00" * 500, "is a ZIP archive"),
        (bytes(range(7, 256)) * 10, "does not look like audio"),
    ],
)
def test_it_rejects_a_file_that_is_not_audio_whatever_its_name_says(artist, content, named):
    upload = send_upload(artist, content, "my song.mp3")

    with pytest.raises(UploadRejected) as caught:
        services.complete_upload(upload=upload)

    assert f"“my song.mp3” {named}" in str(caught.value)
    assert ACCEPTED_DESCRIPTION in str(caught.value)
    assert not Track.objects.exists()
    assert stored_audio() == []
    upload.refresh_from_db()
    assert upload.state == Upload.State.REJECTED


def test_a_rejected_upload_stays_rejected_with_the_same_message(artist):
    upload = send_upload(artist, PDF, "song.mp3")
    with pytest.raises(UploadRejected):
        services.complete_upload(upload=upload)

    with pytest.raises(UploadRejected, match="a PDF document"):
        services.complete_upload(upload=upload)
    assert not Track.objects.exists()


def test_it_rejects_an_empty_file_that_arrived_directly(artist):
    upload, _ = start(artist)
    put_in_storage(upload, b"")

    with pytest.raises(UploadRejected, match=r"is empty \(0 bytes\)"):
        services.complete_upload(upload=upload)
    assert stored_audio() == []
    assert not Track.objects.exists()


def test_it_rejects_an_oversized_file_that_arrived_directly(artist, settings):
    upload, _ = start(artist, size=1000)
    put_in_storage(upload, audio_bytes("flac", seconds=3))
    settings.UPLOAD_MAX_BYTES = 1000

    with pytest.raises(UploadRejected, match="the limit is"):
        services.complete_upload(upload=upload)
    assert stored_audio() == []
    assert not Track.objects.exists()


def test_it_rejects_completing_a_file_that_never_arrived(artist):
    upload, _ = start(artist)

    with pytest.raises(UploadRejected, match="never arrived"):
        services.complete_upload(upload=upload)
    assert not Track.objects.exists()


# --- Abandoned uploads ---------------------------------------------------------------------------


def age(upload, **delta) -> None:
    Upload.objects.filter(pk=upload.pk).update(created_at=timezone.now() - timedelta(**delta))


def test_it_purges_old_uploads_that_never_completed_with_their_files(artist):
    abandoned = send_upload(artist, audio_file("flac", seconds=3))
    never_sent, _ = start(artist)
    rejected = send_upload(artist, PDF, "song.mp3")
    with pytest.raises(UploadRejected):
        services.complete_upload(upload=rejected)
    completed = send_upload(artist, audio_file("wav", seconds=3))
    track = services.complete_upload(upload=completed)
    recent = send_upload(artist, audio_file("mp3", seconds=3))
    for upload in (abandoned, never_sent, rejected, completed):
        age(upload, days=2)

    purged = services.purge_abandoned_uploads()

    assert purged == 3
    assert set(Upload.objects.values_list("pk", flat=True)) == {completed.pk, recent.pk}
    assert stored_audio() == sorted([track.original.name, recent.key])
    assert Track.objects.get() == track


def test_it_leaves_recent_unfinished_uploads_alone(artist):
    in_progress = send_upload(artist, audio_file("flac", seconds=3))
    age(in_progress, hours=1)

    assert services.purge_abandoned_uploads() == 0
    assert stored_audio() == [in_progress.key]


def test_purging_with_no_grace_period_takes_every_unfinished_upload(artist):
    just_started, _ = start(artist)

    assert services.purge_abandoned_uploads(older_than=timedelta(0)) == 1
    assert not Upload.objects.filter(pk=just_started.pk).exists()


def test_an_upload_completed_while_the_queue_is_down_is_processed_once_it_is_back(
    artist, django_capture_on_commit_callbacks, monkeypatch
):
    from kombu.exceptions import OperationalError as BrokerError

    from tracks.tasks import process_upload

    upload = send_upload(artist, audio_file("flac", seconds=3))

    def unreachable(**kwargs):
        raise BrokerError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    with monkeypatch.context() as patch:
        patch.setattr(process_upload, "delay", unreachable)
        with django_capture_on_commit_callbacks(execute=True):
            track = services.complete_upload(upload=upload)
    track.refresh_from_db()
    assert track.status == Track.Status.PROCESSING  # accepted, waiting: not failed, not lost
    assert services.fail_stale_processing(older_than=timedelta(0)) == 0

    assert services.requeue_unqueued_processing() == 1  # the broker is back (eager here)

    track.refresh_from_db()
    assert track.status == Track.Status.READY
    assert services.requeue_unqueued_processing() == 0


def test_processing_that_meets_a_database_restart_is_tried_again(artist, monkeypatch):
    from django.db import OperationalError

    from tracks.tasks import process_upload

    track = services.complete_upload(upload=send_upload(artist, audio_file("flac", seconds=3)))
    real = services.process_track_audio
    calls = []

    def restarting_once(*, track_id):
        calls.append(track_id)
        if len(calls) == 1:
            raise OperationalError("terminating connection due to administrator command")
        return real(track_id=track_id)

    monkeypatch.setattr(services, "process_track_audio", restarting_once)

    process_upload.delay(track_id=track.id)

    track.refresh_from_db()
    assert len(calls) == 2
    assert track.status == Track.Status.READY
