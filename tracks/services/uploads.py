"""From a file on someone's disk to a Track waiting for the pipeline.

1. start_upload: check the name and size, reserve a key, tell the browser where to send bytes
   (a presigned S3 POST, or our own receiving view in the embedded default).
2. receive_upload_file: the embedded default's receiving end.
3. complete_upload: check what arrived really is audio, create the Track, enqueue processing.
"""

import secrets
from datetime import timedelta
from pathlib import Path, PurePath

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone

from artists.models import Artist
from backstage import s3
from backstage.models import User
from backstage.suspension import ensure_not_suspended

from ..audio.formats import content_problem, extension_problem
from ..models import Release, Track, Upload, Visibility, audio_storage
from .processing import enqueue_processing

SNIFF_BYTES = 64


class UploadRejected(Exception):
    """The message is for the person uploading, as it is."""


def _size_problem(size: int, filename: str) -> str | None:
    if size <= 0:
        return f"“{filename[:120]}” is empty (0 bytes). Please upload the file again."
    if size > settings.UPLOAD_MAX_BYTES:
        return (
            f"“{filename[:120]}” is {filesizeformat(size)}; the limit is "
            f"{filesizeformat(settings.UPLOAD_MAX_BYTES)} per file."
        )
    return None


def start_upload(
    *,
    user: User,
    artist: Artist,
    filename: str,
    size: int,
    release: Release | None = None,
    position: int = 0,
) -> tuple[Upload, dict]:
    """Reserve a place for one file. Returns the Upload and where the browser sends the bytes."""
    ensure_not_suspended(user)
    filename = PurePath(filename.replace("\\", "/")).name.strip() or "untitled"
    problem = extension_problem(filename) or _size_problem(size, filename)
    if problem:
        raise UploadRejected(problem)
    if release is not None and release.artist_id != artist.id:
        raise UploadRejected("That release belongs to another artist.")
    suffix = PurePath(filename).suffix.lower()
    upload = Upload.objects.create(
        user=user,
        artist=artist,
        release=release,
        position=position,
        filename=filename[:255],
        declared_size=size,
        key=f"originals/{artist.id}/{secrets.token_hex(12)}{suffix}",
    )
    return upload, upload_target(upload=upload)


def upload_target(*, upload: Upload) -> dict:
    storage = audio_storage()
    if s3.is_s3(storage):
        post = s3.presigned_post(
            storage=storage,
            name=upload.key,
            max_bytes=settings.UPLOAD_MAX_BYTES,
            ttl=settings.UPLOAD_TTL,
        )
        return {"url": post["url"], "fields": post["fields"], "direct": True}
    return {
        "url": reverse("tracks:upload_receive", kwargs={"upload_id": upload.id}),
        "fields": {},
        "direct": False,
    }


def receive_upload_file(*, upload: Upload, file) -> Upload:
    """Store the bytes of a started upload (embedded default; S3 receives them itself)."""
    if upload.state != Upload.State.STARTED:
        raise UploadRejected("This upload has already been finished.")
    problem = _size_problem(file.size, upload.filename)
    if problem:
        raise UploadRejected(problem)
    storage = audio_storage()
    if storage.exists(upload.key):
        raise UploadRejected("This file has already been received.")
    upload.key = storage.save(upload.key, file)
    upload.save(update_fields=["key"])
    return upload


def complete_upload(*, upload: Upload, visibility: str = Visibility.PUBLIC) -> Track:
    """Turn a received file into a Track in `processing`, or reject it and delete its bytes."""
    ensure_not_suspended(upload.user)
    with transaction.atomic():
        upload = Upload.objects.select_for_update().get(pk=upload.pk)
        # Two "complete" calls for one upload (a double click, a retried request) must not
        # make two tracks: the row lock serialises them and the second finds COMPLETED.
        if upload.state == Upload.State.COMPLETED and upload.track_id:
            return upload.track
        if upload.state == Upload.State.REJECTED:
            raise UploadRejected(upload.message)
        problem = _received_problem(upload)
        if problem:
            _reject(upload, problem)
        else:
            track = Track.objects.create(
                artist=upload.artist,
                release=upload.release,
                position=upload.position,
                title=PurePath(upload.filename).stem[:200] or "Untitled",
                visibility=visibility if visibility in Visibility.values else Visibility.PUBLIC,
                original=upload.key,
                original_filename=upload.filename,
                original_size=audio_storage().size(upload.key),
                processing_started_at=timezone.now(),
                processing_attempts=1,
            )
            upload.state, upload.track = Upload.State.COMPLETED, track
            upload.save(update_fields=["state", "track"])
            transaction.on_commit(lambda: enqueue_processing(track.id))
            return track
    raise UploadRejected(problem)


def _received_problem(upload: Upload) -> str | None:
    storage = audio_storage()
    if not storage.exists(upload.key):
        return "The file never arrived. Please try uploading it again."
    problem = _size_problem(storage.size(upload.key), upload.filename)
    if problem:
        return problem
    with storage.open(upload.key, "rb") as handle:
        head = handle.read(SNIFF_BYTES)
    return content_problem(head, upload.filename)


def _reject(upload: Upload, message: str) -> None:
    audio_storage().delete(upload.key)
    upload.state, upload.message = Upload.State.REJECTED, message[:500]
    upload.save(update_fields=["state", "message"])


def import_audio_file(
    *,
    artist: Artist,
    path: Path,
    filename: str = "",
    release: Release | None = None,
    position: int = 0,
    visibility: str = Visibility.PUBLIC,
) -> Track:
    """Upload a file from this machine's disk through the same steps a browser takes
    (demo data, imports from the command line)."""
    upload, _ = start_upload(
        user=artist.user,
        artist=artist,
        filename=filename or path.name,
        size=path.stat().st_size,
        release=release,
        position=position,
    )
    with open(path, "rb") as handle:
        receive_upload_file(upload=upload, file=File(handle, name=path.name))
    return complete_upload(upload=upload, visibility=visibility)


def purge_abandoned_uploads(*, older_than: timedelta | None = None) -> int:
    """Delete uploads that never completed (and their bytes), so no orphan files stay behind."""
    if older_than is None:  # (timedelta(0) is falsy, but means "now")
        older_than = timedelta(seconds=settings.UPLOAD_TTL)
    cutoff = timezone.now() - older_than
    storage = audio_storage()
    abandoned = Upload.objects.filter(created_at__lt=cutoff).exclude(state=Upload.State.COMPLETED)
    count = 0
    for upload in abandoned.iterator():
        storage.delete(upload.key)
        upload.delete()
        count += 1
    return count
