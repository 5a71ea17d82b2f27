"""The audio pipeline applied to tracks: from an uploaded original to a listenable track."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from tests.audio_files import (
    FORMATS,
    audio_file,
    audio_with_cover,
    cut_short,
    picture,
    processed_track,
    send_upload,
    stored_audio,
)
from tests.factories import ReleaseFactory, TrackFactory
from tracks import services, tasks
from tracks.audio import binaries, probe, render
from tracks.audio.errors import TransientAudioError
from tracks.models import Track, audio_storage
from tracks.services import processing

TAGS = (
    ("title", "Night Swim"),
    ("genre", "Ambient"),
    ("composer", "Ada Lovelace"),
    ("date", "2021-05-04"),
)


def uploaded_track(artist, data, filename=None, **kwargs) -> Track:
    """A completed upload: a track waiting for the pipeline (which has not run yet)."""
    return services.complete_upload(upload=send_upload(artist, data, filename, **kwargs))


def process(track: Track) -> Track:
    services.process_track_audio(track_id=track.id)
    track.refresh_from_db()
    return track


def originals_and_renditions() -> list[str]:
    """What the audio storage should hold: the files of the tracks that exist, nothing else."""
    names = []
    for track in Track.objects.prefetch_related("renditions"):
        names += [track.original.name, *(r.file.name for r in track.renditions.all())]
    return sorted(names)


# --- Every format to READY -----------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_accepted_format_becomes_a_ready_track_with_two_streaming_copies(artist, fmt):
    track = processed_track(artist, audio_file(fmt, seconds=3))

    assert track.status == Track.Status.READY, track.status_message
    assert track.status_message == ""
    assert track.duration == pytest.approx(3, abs=0.1)
    assert track.codec
    assert track.sample_rate == (48000 if fmt == "opus" else 44100)
    assert track.channels == 2
    assert -30 < track.loudness_lufs < -5
    assert len(track.peaks) == pytest.approx(300, abs=10)
    assert all(0 <= bar <= 100 for bar in track.peaks) and max(track.peaks) == 100
    renditions = {r.format: r for r in track.renditions.all()}
    assert set(renditions) == {"opus", "mp3"}
    for fmt_name, rendition in renditions.items():
        info = probe.probe(audio_storage().path(rendition.file.name))
        assert info.codec == fmt_name
        assert info.duration == pytest.approx(track.duration, abs=0.15)
        assert rendition.size == audio_storage().size(rendition.file.name) > 0
    assert stored_audio() == originals_and_renditions()


# --- Tags ----------------------------------------------------------------------------------------


def test_tags_in_the_file_fill_in_the_track(artist):
    track = processed_track(artist, audio_file("flac", seconds=3, tags=TAGS), "mix4.flac")

    assert track.title == "Night Swim"
    assert track.genre == "Ambient"
    assert track.credits == "Written by Ada Lovelace"
    assert track.release_date == date(2021, 5, 4)
    assert track.embedded_tags["composer"] == "Ada Lovelace"


def test_tags_never_overwrite_what_the_artist_typed_before_processing(artist):
    track = uploaded_track(artist, audio_file("flac", seconds=3, tags=TAGS), "mix4.flac")
    services.update_track(
        track=track, title="Nachtschwimmen", genre="Krautrock", release_date=date(2024, 1, 1)
    )

    track = process(track)

    assert track.status == Track.Status.READY
    assert (track.title, track.genre) == ("Nachtschwimmen", "Krautrock")
    assert track.release_date == date(2024, 1, 1)
    assert track.credits == "Written by Ada Lovelace"  # not edited: filled from the tags


def test_tags_never_overwrite_what_the_artist_typed_while_ffmpeg_was_running(artist, monkeypatch):
    track = uploaded_track(artist, audio_file("flac", seconds=3, tags=TAGS), "mix4.flac")
    real_render = render.render

    def render_while_the_artist_edits(*args, **kwargs):
        services.update_track(track=track, title="Typed mid-way", credits="Words by me")
        return real_render(*args, **kwargs)

    monkeypatch.setattr(render, "render", render_while_the_artist_edits)

    track = process(track)

    assert track.status == Track.Status.READY
    assert track.title == "Typed mid-way"
    assert track.credits == "Words by me"
    assert track.genre == "Ambient"


def test_a_wav_file_gets_its_title_from_the_riff_info_tags_ffmpeg_writes(artist):
    track = processed_track(artist, audio_file("wav", seconds=3, tags=TAGS), "bounce.wav")

    assert track.title == "Night Swim"
    assert track.genre == "Ambient"


def test_the_track_number_places_a_track_in_its_release(artist):
    release = ReleaseFactory(artist=artist)
    source = audio_file("m4a", seconds=3, tags=(("track", "3/12"),))

    track = processed_track(artist, source, "song.m4a", release=release)

    assert track.position == 3


@pytest.mark.parametrize(
    ("title", "stored"),
    [
        ("x" * 10_000, "x" * 200),
        ("<script>alert('owned')</script>", "<script>alert('owned')</script>"),
    ],
)
def test_hostile_tags_are_stored_as_plain_text_cut_to_size(artist, title, stored):
    track = processed_track(artist, audio_file("mp3", seconds=3, tags=(("title", title),)))

    assert track.status == Track.Status.READY
    assert track.title == stored


# --- Cover art -----------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["mp3", "flac"])
def test_cover_art_inside_the_file_becomes_the_tracks_cover(artist, fmt):
    track = processed_track(artist, audio_with_cover(picture(size=(300, 300)), fmt=fmt))

    assert track.status == Track.Status.READY
    assert track.cover.name.startswith("covers/") and track.cover.name.endswith(".jpg")
    assert (track.cover.width, track.cover.height) == (300, 300)


def test_a_release_cover_wins_over_the_picture_inside_the_file(artist):
    release = ReleaseFactory(artist=artist, cover="covers/album.jpg")

    track = processed_track(artist, audio_with_cover(picture()), "song.mp3", release=release)

    assert not track.cover
    assert track.display_cover.name == "covers/album.jpg"


def test_an_unreadable_cover_inside_the_file_is_skipped_with_a_note(artist):
    source = audio_with_cover(b"\xff\xd8\xff\xe0 this is not really a JPEG")

    track = processed_track(artist, source, "song.mp3")

    assert track.status == Track.Status.READY
    assert not track.cover
    assert track.status_message == processing.MESSAGE_BAD_COVER


# --- Broken files --------------------------------------------------------------------------------


def test_a_file_cut_short_fails_with_a_message_and_keeps_the_original(artist):
    track = processed_track(artist, cut_short("flac"), "album master.flac")

    assert track.status == Track.Status.FAILED
    assert "cut short" in track.status_message
    assert "Please upload the complete file" in track.status_message
    assert not track.renditions.exists()
    assert stored_audio() == [track.original.name]


def test_garbage_that_starts_like_audio_fails_with_a_message(artist):
    garbage = b"ID3" + bytes((i * 7919) % 251 for i in range(50_000))

    track = processed_track(artist, garbage, "song.mp3")

    assert track.status == Track.Status.FAILED
    assert "could not read any audio" in track.status_message
    assert stored_audio() == [track.original.name]


def test_a_missing_original_fails_with_a_message(artist):
    track = uploaded_track(artist, audio_file("flac", seconds=3))
    audio_storage().delete(track.original.name)

    track = process(track)

    assert track.status == Track.Status.FAILED
    assert track.status_message


def test_a_machine_problem_leaves_the_track_processing_for_a_retry(artist, monkeypatch):
    track = uploaded_track(artist, audio_file("flac", seconds=3))

    def no_ffmpeg():
        raise TransientAudioError("No ffmpeg binary is available on this machine.")

    monkeypatch.setattr(binaries, "ffmpeg", no_ffmpeg)

    with pytest.raises(TransientAudioError):
        services.process_track_audio(track_id=track.id)
    track.refresh_from_db()
    assert track.status == Track.Status.PROCESSING
    assert stored_audio() == [track.original.name]


# --- Running twice, and races --------------------------------------------------------------------


def test_processing_twice_does_nothing_the_second_time(artist):
    track = processed_track(artist, audio_file("flac", seconds=3))
    renditions = list(track.renditions.values_list("id", "file"))

    assert services.process_track_audio(track_id=track.id) is None

    assert list(track.renditions.values_list("id", "file")) == renditions
    assert len(stored_audio()) == 3


def test_a_track_that_is_no_longer_processing_is_left_alone(artist):
    track = uploaded_track(artist, audio_file("flac", seconds=3))
    services.fail_stale_processing(older_than=timedelta(0))

    assert services.process_track_audio(track_id=track.id) is None

    track.refresh_from_db()
    assert track.status == Track.Status.FAILED
    assert stored_audio() == [track.original.name]


def test_a_duplicate_delivery_finishing_at_the_same_time_leaves_one_set_of_copies(
    artist, monkeypatch
):
    track = uploaded_track(artist, audio_file("flac", seconds=3))
    real_render = render.render
    calls = []

    def render_and_let_the_duplicate_finish_first(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            services.process_track_audio(track_id=track.id)
        return real_render(*args, **kwargs)

    monkeypatch.setattr(render, "render", render_and_let_the_duplicate_finish_first)

    assert services.process_track_audio(track_id=track.id) is None

    track.refresh_from_db()
    assert track.status == Track.Status.READY
    assert track.renditions.count() == 2
    assert stored_audio() == originals_and_renditions()


def test_a_worker_finishing_after_the_watchdog_gave_up_leaves_no_files(artist, monkeypatch):
    track = uploaded_track(artist, audio_file("flac", seconds=3))
    real_render = render.render

    def render_too_slowly(*args, **kwargs):
        services.fail_stale_processing(older_than=timedelta(0))
        return real_render(*args, **kwargs)

    monkeypatch.setattr(render, "render", render_too_slowly)

    assert services.process_track_audio(track_id=track.id) is None

    track.refresh_from_db()
    assert track.status == Track.Status.FAILED
    assert stored_audio() == [track.original.name]


# --- Background task, retry and watchdog ---------------------------------------------------------


def test_a_completed_upload_is_processed_in_the_background_after_commit(
    artist, django_capture_on_commit_callbacks
):
    upload = send_upload(artist, audio_file("ogg", seconds=3, tags=TAGS))

    with django_capture_on_commit_callbacks(execute=True):
        track = services.complete_upload(upload=upload)

    track.refresh_from_db()
    assert track.status == Track.Status.READY
    assert track.title == "Night Swim"


def test_the_task_ignores_a_deleted_track(artist):
    track = uploaded_track(artist, audio_file("flac", seconds=3))
    track_id = track.id
    track.delete()

    tasks.process_upload.delay(track_id=track_id).get()  # eager: runs here, raises nothing


def test_retrying_a_failed_track_runs_the_pipeline_again(
    artist, django_capture_on_commit_callbacks
):
    track = uploaded_track(artist, audio_file("flac", seconds=3, tags=TAGS))
    services.fail_stale_processing(older_than=timedelta(0))  # the worker died

    with django_capture_on_commit_callbacks(execute=True):
        track = services.retry_processing(track=Track.objects.get(pk=track.pk))

    track.refresh_from_db()
    assert track.status == Track.Status.READY
    assert track.status_message == ""
    assert track.processing_attempts == 2
    assert track.renditions.count() == 2


def test_retrying_a_broken_file_fails_again_and_counts_the_attempt(
    artist, django_capture_on_commit_callbacks
):
    track = processed_track(artist, cut_short("flac"), "master.flac")

    with django_capture_on_commit_callbacks(execute=True):
        services.retry_processing(track=track)

    track.refresh_from_db()
    assert track.status == Track.Status.FAILED
    assert "cut short" in track.status_message
    assert track.processing_attempts == 2
    assert stored_audio() == [track.original.name]


def test_retrying_a_track_already_processing_sends_nothing_more(
    artist, django_capture_on_commit_callbacks
):
    track = uploaded_track(artist, audio_file("flac", seconds=3))

    with django_capture_on_commit_callbacks() as callbacks:
        track = services.retry_processing(track=track)

    assert callbacks == []
    assert track.processing_attempts == 1


def test_the_watchdog_fails_only_tracks_stuck_in_processing(artist):
    long_ago = timezone.now() - timedelta(hours=2)
    stuck = TrackFactory(
        artist=artist, status=Track.Status.PROCESSING, processing_started_at=long_ago
    )
    working = TrackFactory(
        artist=artist, status=Track.Status.PROCESSING, processing_started_at=timezone.now()
    )
    ready = TrackFactory(artist=artist, processing_started_at=long_ago)

    assert services.fail_stale_processing(older_than=timedelta(minutes=30)) == 1

    for track in (stuck, working, ready):
        track.refresh_from_db()
    assert (stuck.status, stuck.status_message) == (Track.Status.FAILED, processing.MESSAGE_STALE)
    assert working.status == Track.Status.PROCESSING
    assert (ready.status, ready.status_message) == (Track.Status.READY, "")


def test_the_watchdog_waits_for_the_processing_timeout_by_default(artist, settings):
    settings.PROCESSING_TIMEOUT = 600
    recent = TrackFactory(
        artist=artist,
        status=Track.Status.PROCESSING,
        processing_started_at=timezone.now() - timedelta(minutes=5),
    )
    stuck = TrackFactory(
        artist=artist,
        status=Track.Status.PROCESSING,
        processing_started_at=timezone.now() - timedelta(minutes=15),
    )

    assert services.fail_stale_processing() == 1

    recent.refresh_from_db()
    stuck.refresh_from_db()
    assert (recent.status, stuck.status) == (Track.Status.PROCESSING, Track.Status.FAILED)
