"""Real audio for the tests, generated with ffmpeg into a cache folder on first use.

A little two-voice arpeggio (so loudness and waveform are not trivial), in every accepted
format, plus the broken files people really upload, and the two steps every pipeline test
takes: send a file through the upload services, and look at what the audio storage holds.

Cache names are derived from the arguments with a stable hash, and files are written under a
temporary name and renamed into place, so parallel test workers never read a half-written file.
"""

import hashlib
import io
import os
import subprocess
from functools import cache
from pathlib import Path

from tracks.audio import binaries

CACHE = Path(__file__).parent / "data" / "generated"

MELODY = (
    "aevalsrc='0.4*sin(2*PI*t*220*pow(2,floor(mod(t*4,8))/12))*exp(-mod(t,0.25)*6)"
    "|0.4*sin(2*PI*t*330*pow(2,floor(mod(t*2,5))/12))*exp(-mod(t,0.5)*3)':s={rate}:d={seconds}"
)

FORMATS = {
    # name: (extension, codec options)
    "mp3": (".mp3", ["-c:a", "libmp3lame", "-b:a", "128k"]),
    "flac": (".flac", ["-c:a", "flac"]),
    "wav": (".wav", ["-c:a", "pcm_s16le"]),
    "aiff": (".aiff", ["-c:a", "pcm_s16be"]),
    "ogg": (".ogg", ["-c:a", "libvorbis", "-q:a", "3"]),
    "opus": (".opus", ["-c:a", "libopus", "-b:a", "64k"]),
    "m4a": (".m4a", ["-c:a", "aac", "-b:a", "128k"]),
    "aac": (".aac", ["-c:a", "aac", "-b:a", "128k", "-f", "adts"]),
}


def _stable_hash(data: bytes | str, digits: int = 8) -> str:
    raw = data.encode() if isinstance(data, str) else data
    return hashlib.sha256(raw).hexdigest()[:digits]


def _write_atomically(path: Path, make) -> Path:
    """Create `path` once: `make(temporary_path)` writes it, then it is renamed into place."""
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".partial-{os.getpid()}-{path.name}")
        make(partial)
        os.replace(partial, path)
    return path


def _ffmpeg(source: str, options: list[str], target: Path) -> None:
    subprocess.run(
        [
            binaries.ffmpeg(),
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            source,
            *options,
            str(target),
        ],
        check=True,
    )


@cache
def audio_file(
    fmt: str = "flac",
    *,
    seconds: float = 4,
    rate: int = 44100,
    tags: tuple[tuple[str, str], ...] = (),
) -> Path:
    """A generated file in format `fmt`, made once per distinct set of arguments."""
    ext, codec = FORMATS[fmt]
    tag_part = "-".join(f"{k}{_stable_hash(v, 6)}" for k, v in tags)
    path = CACHE / f"melody-{seconds}s-{rate}-{tag_part}{ext}"
    metadata = [arg for key, value in tags for arg in ("-metadata", f"{key}={value}")]
    return _write_atomically(
        path,
        lambda target: _ffmpeg(
            MELODY.format(rate=rate, seconds=seconds), [*codec, *metadata], target
        ),
    )


def audio_bytes(fmt: str = "flac", **kwargs) -> bytes:
    return audio_file(fmt, **kwargs).read_bytes()


def audio_with_cover(picture: bytes, *, fmt: str = "mp3") -> Path:
    """An MP3 (ID3 APIC) or FLAC (PICTURE block) carrying `picture` as its cover art."""
    from mutagen.flac import FLAC, Picture
    from mutagen.id3 import APIC, ID3

    source = audio_file(fmt, seconds=3)

    def make(target: Path) -> None:
        target.write_bytes(source.read_bytes())
        if fmt == "mp3":
            tags = ID3()
            tags.add(APIC(encoding=3, mime="image/jpeg", type=3, desc="Cover", data=picture))
            tags.save(target)
        else:
            flac = FLAC(target)
            cover = Picture()
            cover.type, cover.mime, cover.data = 3, "image/jpeg", picture
            flac.add_picture(cover)
            flac.save()

    return _write_atomically(CACHE / f"cover-{_stable_hash(picture)}{source.suffix}", make)


def picture(*, size: tuple[int, int] = (64, 48), colour: str = "teal") -> bytes:
    """A small JPEG, as cover art inside a file or as an uploaded image."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "JPEG")
    return out.getvalue()


def silent_file(*, seconds: float = 3) -> Path:
    """A FLAC holding nothing but digital silence."""
    return _write_atomically(
        CACHE / f"silence-{seconds}s.flac",
        lambda target: _ffmpeg(f"anullsrc=r=44100:cl=stereo:d={seconds}", ["-c:a", "flac"], target),
    )


def cut_short(fmt: str = "flac", *, keep: float = 0.3) -> bytes:
    """The first `keep` of a real file's bytes: an upload that stopped half-way."""
    data = audio_bytes(fmt)
    return data[: int(len(data) * keep)]


# --- Getting files into the app ------------------------------------------------------------------


def send_upload(artist, data: bytes | Path, filename: str | None = None, **kwargs):
    """Start an upload and deliver its bytes through the services, as the browser does."""
    from django.core.files.base import ContentFile

    from tracks import services

    if isinstance(data, Path):
        filename, data = filename or data.name, data.read_bytes()
    upload, _target = services.start_upload(
        user=artist.user, artist=artist, filename=filename, size=len(data), **kwargs
    )
    return services.receive_upload_file(upload=upload, file=ContentFile(data, name=filename))


def processed_track(artist, data: bytes | Path, filename: str | None = None, **kwargs):
    """Upload, complete and process a file (processing runs here, not on commit)."""
    from tracks import services

    track = services.complete_upload(upload=send_upload(artist, data, filename, **kwargs))
    services.process_track_audio(track_id=track.id)
    track.refresh_from_db()
    return track


def stored_audio() -> list[str]:
    """Every file in the (local) audio storage, as names relative to its root."""
    from tracks.models import audio_storage

    root = Path(audio_storage().location)
    if not root.exists():
        return []
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())
