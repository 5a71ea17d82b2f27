"""The audio pipeline applied to a Track: probe, render, store, mark ready (or failed)."""

import logging
import shutil
import tempfile
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import InterfaceError, OperationalError, transaction
from django.utils import timezone

from artists.notifications import announce_new_music
from backstage.images import normalise_image
from backstage.pagecache import forget_cached_pages

from ..audio import probe as audio_probe
from ..audio import render as audio_render
from ..audio.errors import AudioError, TransientAudioError
from ..models import Rendition, Track, audio_storage

log = logging.getLogger(__name__)

MESSAGE_STALE = (
    "Processing took too long and was stopped. Press “Try again”; if it keeps failing, export "
    "the file again from your audio software and upload that."
)
MESSAGE_INTERNAL = (
    "Something went wrong on our side while processing this file. Press “Try again”; if it "
    "keeps failing, export the file again from your audio software and upload that."
)
MESSAGE_BAD_COVER = "The cover picture inside the file could not be read, so we skipped it."
COPY_CHUNK = 1 << 20
MAX_POSITION = 9999  # a track number from a file's tags above this is noise, not an order


def process_track_audio(*, track_id: int) -> Track | None:
    """Run the whole pipeline for one track. Idempotent: a stale or repeated call does nothing.

    Raises TransientAudioError (for the task to retry) when the machine, not the file, failed.
    """
    track = Track.objects.filter(id=track_id, status=Track.Status.PROCESSING).first()
    if track is None:
        return None  # deleted, or finished by an earlier delivery of this task
    try:
        with tempfile.TemporaryDirectory(prefix="backstage-") as tmp:
            workdir = Path(tmp)
            with _local_copy(track.original.name, workdir) as source:
                info = audio_probe.probe(source)
                rendered = audio_render.render(
                    source,
                    workdir,
                    declared_duration=info.duration,
                    timeout=settings.PROCESSING_TIMEOUT,
                )
                return _finish(track_id=track_id, info=info, rendered=rendered)
    except AudioError as exc:
        return _fail(track_id=track_id, message=str(exc))
    except (TransientAudioError, OperationalError, InterfaceError):
        # The machine's problem (ffmpeg killed, the database restarting): the task retries
        # with backoff, and the watchdog fails the track if none succeeds.
        raise
    except Exception:
        # A bug of ours, or a value the database refuses: fail the track now with a message
        # the artist can act on instead of leaving it in processing until the watchdog. The
        # exception still goes on to the task's error log.
        log.exception("processing track %s failed unexpectedly", track_id)
        _fail(track_id=track_id, message=MESSAGE_INTERNAL)
        raise


@contextmanager
def _local_copy(name: str, workdir: Path):
    """A path ffmpeg can read: the file itself on local storage, else a streamed copy."""
    storage = audio_storage()
    try:
        yield storage.path(name)
        return
    except NotImplementedError:
        pass
    target = workdir / ("original" + Path(name).suffix)
    with storage.open(name, "rb") as remote, open(target, "wb") as local:
        shutil.copyfileobj(remote, local, COPY_CHUNK)
    yield str(target)


def _finish(*, track_id: int, info, rendered) -> Track | None:
    storage = audio_storage()
    stored: list[str] = []
    try:
        for path in rendered.files.values():
            with open(path, "rb") as handle:
                stored.append(storage.save(f"renditions/{track_id}/{path.name}", File(handle)))
        cover, cover_note = _embedded_cover(info.cover)
        with transaction.atomic():
            # The artist may have edited the track while ffmpeg ran, and a duplicate delivery
            # of the task may be finishing too: lock the row and re-check before writing.
            track = (
                Track.objects.select_for_update()
                .filter(id=track_id, status=Track.Status.PROCESSING)
                .first()
            )
            if track is None:
                raise _Superseded
            old = list(track.renditions.values_list("file", flat=True))
            track.renditions.all().delete()
            for (fmt, path), name in zip(rendered.files.items(), stored, strict=True):
                Rendition.objects.create(
                    track=track,
                    format=fmt,
                    file=name,
                    size=path.stat().st_size,
                    bitrate=rendered.bitrates[fmt],
                )
            _apply_info(track, info, rendered)
            if cover and not track.cover and not (track.release and track.release.cover):
                track.cover = cover
            track.status, track.status_message = Track.Status.READY, cover_note
            track.save()
            announce_new_music(track=track)  # e-mails followers once, after commit
            transaction.on_commit(lambda: [storage.delete(name) for name in old])
        return track
    except _Superseded:
        for name in stored:
            storage.delete(name)
        return None
    except BaseException:
        for name in stored:
            storage.delete(name)
        raise


class _Superseded(Exception):
    pass


def _embedded_cover(data: bytes | None):
    if not data:
        return None, ""
    try:
        return normalise_image(data, max_side=1600, stem="cover"), ""
    except ValidationError:
        return None, MESSAGE_BAD_COVER


def _apply_info(track: Track, info, rendered) -> None:
    track.duration = rendered.decoded_seconds or info.duration
    track.codec = info.codec[:40]
    track.sample_rate = info.sample_rate
    track.channels = info.channels
    track.bitrate = info.bitrate
    track.loudness_lufs = rendered.loudness_lufs
    track.peaks = rendered.peaks
    track.embedded_tags = info.tags
    _prefill_from_tags(track, info.tags)


def _prefill_from_tags(track: Track, tags: dict[str, str]) -> None:
    """Fill fields from the file's tags, never overwriting what the artist typed."""
    typed = set(track.edited_fields)
    if tags.get("title") and "title" not in typed:
        track.title = tags["title"][:200]
    if tags.get("genre") and "genre" not in typed:
        track.genre = tags["genre"][:60]
    if tags.get("composer") and "credits" not in typed and not track.credits:
        track.credits = f"Written by {tags['composer']}"[:5000]
    if tags.get("date") and "release_date" not in typed and not track.release_date:
        track.release_date = _parse_date(tags["date"])
    number = tags.get("track", "").split("/")[0].strip()
    # isdigit() alone also accepts "²" and "٣", which int() refuses; and the column is 32-bit.
    if (
        track.release_id
        and number.isascii()
        and number.isdigit()
        and int(number) <= MAX_POSITION
        and "position" not in typed
        and not track.position
    ):
        track.position = int(number)


def _parse_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip()[:10])
    except ValueError:
        return None


def _fail(*, track_id: int, message: str) -> Track | None:
    updated = Track.objects.filter(id=track_id, status=Track.Status.PROCESSING).update(
        status=Track.Status.FAILED, status_message=message[:500]
    )
    log.info("track %s failed: %s", track_id, message)
    return Track.objects.filter(id=track_id).first() if updated else None


def retry_processing(*, track: Track) -> Track:
    """Send a track through the pipeline again from its kept original: the artist's "Try
    again" on a failed track, or a moderator's "reprocess" on any track not in processing."""
    with transaction.atomic():
        updated = (
            Track.objects.filter(id=track.id)
            .exclude(status=Track.Status.PROCESSING)
            .update(
                status=Track.Status.PROCESSING,
                status_message="",
                processing_started_at=timezone.now(),
                processing_attempts=track.processing_attempts + 1,
            )
        )
        if updated:
            forget_cached_pages()
            transaction.on_commit(lambda: enqueue_processing(track.id))
    track.refresh_from_db()
    return track


def enqueue_processing(track_id: int) -> None:
    """Queue the pipeline for a track (after commit). With the broker unreachable (Redis down),
    the track stays in processing with no start time, and `requeue_unqueued_processing` (beat)
    queues it once the broker answers again: the upload is accepted, not lost, not failed."""
    from kombu.exceptions import OperationalError as BrokerUnreachable

    from ..tasks import process_upload

    try:
        process_upload.delay(track_id=track_id)
    except BrokerUnreachable as error:
        log.warning("Track %s waits for the task queue: %r", track_id, error)
        Track.objects.filter(id=track_id, status=Track.Status.PROCESSING).update(
            processing_started_at=None
        )


def requeue_unqueued_processing(*, limit: int = 500) -> int:
    """Queue the tracks `enqueue_processing` could not (processing, no start time). Each is
    claimed by setting its start time first, so two sweeps at once queue it once."""
    waiting = Track.objects.filter(
        status=Track.Status.PROCESSING, processing_started_at__isnull=True
    ).values_list("id", flat=True)
    queued = 0
    for track_id in list(waiting[:limit]):
        claimed = Track.objects.filter(
            id=track_id, status=Track.Status.PROCESSING, processing_started_at__isnull=True
        ).update(processing_started_at=timezone.now())
        if claimed:
            enqueue_processing(track_id)
            queued += 1
    return queued


def fail_stale_processing(*, older_than: timedelta | None = None) -> int:
    """The watchdog: tracks stuck in processing (a worker died mid-file) are marked failed."""
    if older_than is None:  # (timedelta(0) is falsy, but means "now")
        older_than = timedelta(seconds=settings.PROCESSING_TIMEOUT)
    cutoff = timezone.now() - older_than
    return Track.objects.filter(
        status=Track.Status.PROCESSING, processing_started_at__lt=cutoff
    ).update(status=Track.Status.FAILED, status_message=MESSAGE_STALE)
