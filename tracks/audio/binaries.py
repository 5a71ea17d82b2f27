"""Where ffmpeg and ffprobe are: the system's when present, else the one imageio-ffmpeg ships.

imageio-ffmpeg has no ffprobe; probe.py then reads what it needs from ffmpeg itself.
"""

import shutil
from functools import cache

from django.conf import settings

from .errors import TransientAudioError


@cache
def ffmpeg() -> str:
    configured = settings.FFMPEG_BINARY or shutil.which("ffmpeg")
    if configured:
        return configured
    try:
        import imageio_ffmpeg

        return imageio_ffmpeg.get_ffmpeg_exe()
    except (ImportError, RuntimeError) as exc:
        raise TransientAudioError("No ffmpeg binary is available on this machine.") from exc


@cache
def ffprobe() -> str | None:
    return shutil.which("ffprobe")
