"""Every write that matters to releases, tracks and uploads (split by topic)."""

from .catalogue import (
    create_release,
    restore_track,
    take_down_track,
    update_release,
    update_track,
)
from .processing import (
    fail_stale_processing,
    process_track_audio,
    requeue_unqueued_processing,
    retry_processing,
)
from .uploads import (
    UploadRejected,
    complete_upload,
    import_audio_file,
    purge_abandoned_uploads,
    receive_upload_file,
    start_upload,
)

__all__ = [
    "UploadRejected",
    "complete_upload",
    "create_release",
    "fail_stale_processing",
    "import_audio_file",
    "process_track_audio",
    "purge_abandoned_uploads",
    "receive_upload_file",
    "requeue_unqueued_processing",
    "restore_track",
    "retry_processing",
    "start_upload",
    "take_down_track",
    "update_release",
    "update_track",
]
