"""Real audio for the tests, generated with ffmpeg into a cache folder on first use.

A little two-voice arpeggio (so loudness and waveform are not trivial), in every accepted
format, plus the broken files people really upload.
"""

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
}


@cache
def audio_file(fmt: str = "flac", *, seconds: float = 4, rate: int = 44100,
               tags: tuple[tuple[str, str], ...] = ()) -> Path:
    """A generated file in format `fmt`, made once per distinct set of arguments."""
    ext, codec = FORMATS[fmt]
    tag_part = "-".join(f"{k}{abs(hash(v)) % 10_000}" for k, v in tags)
    path = CACHE / f"melody-{seconds}s-{rate}-{tag_part}{ext}"
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        metadata = [arg for key, value in tags for arg in ("-metadata", f"{key}={value}")]
        subprocess.run(
            [binaries.ffmpeg(), "-v", "error", "-y", "-f", "lavfi",
             "-i", MELODY.format(rate=rate, seconds=seconds), *codec, *metadata, str(path)],
            check=True,
        )
    return path


def audio_bytes(fmt: str = "flac", **kwargs) -> bytes:
    return audio_file(fmt, **kwargs).read_bytes()


def audio_with_cover(picture: bytes, *, fmt: str = "mp3") -> Path:
    """An MP3 (ID3 APIC) or FLAC (PICTURE block) carrying `picture` as its cover art."""
    from mutagen.flac import FLAC, Picture
    from mutagen.id3 import APIC, ID3

    source = audio_file(fmt, seconds=3)
    path = CACHE / f"cover-{abs(hash(picture)) % 100_000}{source.suffix}"
    path.write_bytes(source.read_bytes())
    if fmt == "mp3":
        tags = ID3()
        tags.add(APIC(encoding=3, mime="image/jpeg", type=3, desc="Cover", data=picture))
        tags.save(path)
    else:
        flac = FLAC(path)
        cover = Picture()
        cover.type, cover.mime, cover.data = 3, "image/jpeg", picture
        flac.add_picture(cover)
        flac.save()
    return path
