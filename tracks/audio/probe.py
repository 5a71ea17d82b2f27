"""What is inside an audio file: duration, codec, rate, channels, tags and embedded cover.

mutagen reads most of it from headers without decoding; ffprobe (or, where only the ffmpeg
from imageio-ffmpeg exists, ffmpeg's own report) fills what mutagen cannot, such as the RIFF
INFO tags ffmpeg writes into WAV files and files mutagen does not understand.
"""

import base64
import json
import re
import subprocess
from dataclasses import dataclass, field

import mutagen
from mutagen.flac import Picture

from . import binaries
from .errors import AudioError, TransientAudioError

MESSAGE_UNREADABLE = (
    "We could not read any audio in this file. It may be damaged or in a format we do not "
    "support; try exporting it again from your audio software as FLAC, WAV or MP3."
)
PROBE_TIMEOUT = 60
MAX_TAG_LENGTH = 500

# Tag names as different formats spell them, folded to ours.
TAG_ALIASES = {
    "title": "title",
    "tit2": "title",
    "\xa9nam": "title",
    "inam": "title",
    "artist": "artist",
    "tpe1": "artist",
    "\xa9art": "artist",
    "iart": "artist",
    "album": "album",
    "talb": "album",
    "\xa9alb": "album",
    "iprd": "album",
    "genre": "genre",
    "tcon": "genre",
    "\xa9gen": "genre",
    "ignr": "genre",
    "date": "date",
    "tdrc": "date",
    "\xa9day": "date",
    "icrd": "date",
    "year": "date",
    "tracknumber": "track",
    "trck": "track",
    "trkn": "track",
    "track": "track",
    "composer": "composer",
    "tcom": "composer",
    "\xa9wrt": "composer",
    "comment": "comment",
    "icmt": "comment",
}


@dataclass
class AudioInfo:
    duration: float = 0.0
    codec: str = ""
    sample_rate: int | None = None
    channels: int | None = None
    bitrate: int | None = None
    tags: dict[str, str] = field(default_factory=dict)
    cover: bytes | None = None


def probe(path: str) -> AudioInfo:
    """Describe the audio file at `path`. Raises AudioError if it holds no readable audio."""
    info = _probe_with_mutagen(path)
    if info is None or not info.duration or not info.tags:
        other = _probe_with_ffprobe(path) if binaries.ffprobe() else _probe_with_ffmpeg(path)
        if info is None:
            info = other
        elif other is not None:  # ffprobe can fail on a file mutagen could read
            info.duration = info.duration or other.duration
            info.tags = info.tags or other.tags
    if info is None or not info.duration or info.duration <= 0:
        raise AudioError(MESSAGE_UNREADABLE)
    return info


def _clean(value) -> str:
    if isinstance(value, list | tuple):
        value = value[0] if value else ""
    if isinstance(value, tuple):
        value = value[0]
    text = str(value).replace("\x00", "").strip()
    return text[:MAX_TAG_LENGTH]


def _fold_tags(raw: dict) -> dict[str, str]:
    tags: dict[str, str] = {}
    for key, value in raw.items():
        name = TAG_ALIASES.get(str(key).lower().split(":")[0])
        if name and name not in tags:
            text = _clean(value)
            if text:
                tags[name] = text
    return tags


def _probe_with_mutagen(path: str) -> AudioInfo | None:
    try:
        audio = mutagen.File(path)
    except (mutagen.MutagenError, OSError, ValueError, EOFError, IndexError, KeyError):
        return None
    if audio is None or audio.info is None:
        return None
    stream = audio.info
    raw_tags = {}
    if audio.tags is not None:
        try:
            raw_tags = {key: audio.tags[key] for key in audio.tags.keys()}  # noqa: SIM118
        except (KeyError, ValueError, TypeError):
            raw_tags = {}
    return AudioInfo(
        duration=float(getattr(stream, "length", 0) or 0),
        codec=_codec_name(audio),
        sample_rate=getattr(stream, "sample_rate", None) or (48000 if _is_opus(audio) else None),
        channels=getattr(stream, "channels", None),
        bitrate=getattr(stream, "bitrate", None) or None,
        tags=_fold_tags({k: _tag_text(v) for k, v in raw_tags.items()}),
        cover=_cover_from_mutagen(audio),
    )


def _tag_text(value):
    text = getattr(value, "text", value)
    if isinstance(text, list) and text and isinstance(text[0], tuple):  # MP4 trkn: [(3, 12)]
        return str(text[0][0])
    return text


def _is_opus(audio) -> bool:
    return type(audio).__name__ == "OggOpus"


def _codec_name(audio) -> str:
    names = {
        "MP3": "mp3",
        "FLAC": "flac",
        "WAVE": "pcm",
        "AIFF": "pcm",
        "OggVorbis": "vorbis",
        "OggOpus": "opus",
        "MP4": "aac",
        "AAC": "aac",
        "OggFLAC": "flac",
    }
    codec = names.get(type(audio).__name__, type(audio).__name__.lower())
    return getattr(audio.info, "codec", None) or codec


def _cover_from_mutagen(audio) -> bytes | None:
    tags = audio.tags
    pictures = getattr(audio, "pictures", None)
    if pictures:  # FLAC
        return pictures[0].data
    if tags is None:
        return None
    try:
        for key in tags.keys():  # noqa: SIM118 - Vorbis comments iterate as pairs
            if str(key).startswith("APIC"):  # ID3 (MP3, AIFF, WAV)
                return tags[key].data
        if tags.get("covr"):  # MP4
            return bytes(tags["covr"][0])
        if "metadata_block_picture" in tags:  # Vorbis comments (Ogg)
            return Picture(base64.b64decode(tags["metadata_block_picture"][0])).data
    except (ValueError, TypeError, KeyError, IndexError, mutagen.MutagenError):
        return None
    return None


def _run(args: list[str]) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(args, capture_output=True, timeout=PROBE_TIMEOUT, check=False)
    except subprocess.TimeoutExpired as exc:
        raise AudioError(MESSAGE_UNREADABLE) from exc
    except OSError as exc:
        raise TransientAudioError(f"Could not run {args[0]}: {exc}") from exc


def _probe_with_ffprobe(path: str) -> AudioInfo | None:
    result = _run(
        [
            binaries.ffprobe(),
            "-v",
            "error",
            "-print_format",
            "json",
            "-show_format",
            "-show_streams",
            "-select_streams",
            "a:0",
            path,
        ]
    )
    try:
        data = json.loads(result.stdout or b"{}")
    except ValueError:
        return None
    streams = data.get("streams") or []
    if result.returncode != 0 or not streams:
        return None
    stream, fmt = streams[0], data.get("format", {})
    tags = {**fmt.get("tags", {}), **stream.get("tags", {})}
    return AudioInfo(
        duration=float(stream.get("duration") or fmt.get("duration") or 0),
        codec=stream.get("codec_name", ""),
        sample_rate=int(stream["sample_rate"]) if stream.get("sample_rate") else None,
        channels=stream.get("channels"),
        bitrate=int(stream.get("bit_rate") or fmt.get("bit_rate") or 0) or None,
        tags=_fold_tags(tags),
    )


_DURATION = re.compile(rb"Duration: (\d+):(\d\d):(\d\d(?:\.\d+)?)")
_STREAM = re.compile(rb"Stream #0:\d+.*?: Audio: (\w+).*?, (\d+) Hz, ([\w.()]+)")
_LAYOUT_CHANNELS = {b"mono": 1, b"stereo": 2}


def _probe_with_ffmpeg(path: str) -> AudioInfo | None:
    """Fallback for machines with only imageio-ffmpeg: read ffmpeg's report of the input."""
    result = _run(
        [binaries.ffmpeg(), "-hide_banner", "-nostdin", "-i", path, "-f", "ffmetadata", "-"]
    )
    duration, stream = _DURATION.search(result.stderr), _STREAM.search(result.stderr)
    if not duration or not stream:
        return None
    hours, minutes, seconds = duration.groups()
    tags = {}
    for line in result.stdout.decode("utf-8", "replace").splitlines()[1:]:
        key, sep, value = line.partition("=")
        if sep:
            tags[key] = value
    return AudioInfo(
        duration=int(hours) * 3600 + int(minutes) * 60 + float(seconds),
        codec=stream.group(1).decode(),
        sample_rate=int(stream.group(2)),
        channels=_LAYOUT_CHANNELS.get(stream.group(3)),
        tags=_fold_tags(tags),
    )
