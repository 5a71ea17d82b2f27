"""Which files we accept, recognised by name before the upload and by content after it."""

from pathlib import PurePath

ACCEPTED_EXTENSIONS = {
    ".mp3": "MP3",
    ".flac": "FLAC",
    ".wav": "WAV",
    ".aif": "AIFF",
    ".aiff": "AIFF",
    ".aifc": "AIFF",
    ".ogg": "Ogg Vorbis",
    ".oga": "Ogg Vorbis",
    ".opus": "Opus",
    ".m4a": "M4A/AAC",
    ".aac": "AAC",
}
ACCEPTED_DESCRIPTION = "MP3, FLAC, WAV, AIFF, Ogg Vorbis, Opus or M4A/AAC"

# Signatures of files people upload by mistake, to name them in the error message.
_NOT_AUDIO = [
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (or an Office document)"),
    (b"\x89PNG", "a PNG picture"),
    (b"\xff\xd8\xff", "a JPEG picture"),
    (b"GIF8", "a GIF picture"),
    (b"\x1a\x45\xdf\xa3", "a Matroska/WebM video"),
    (b"Rar!", "a RAR archive"),
    (b"MThd", "a MIDI file (notes, not recorded sound)"),
]


def extension_problem(filename: str) -> str | None:
    """Why a file of this name is refused, or None when its extension is one we accept."""
    suffix = PurePath(filename).suffix.lower()
    if suffix in ACCEPTED_EXTENSIONS:
        return None
    shown = suffix[:20] or "no extension"  # ("a." + 900 characters has a 901-character one)
    return (
        f"“{filename[:120]}” is not an audio file we accept ({shown}). "
        f"Upload {ACCEPTED_DESCRIPTION}."
    )


def sniff(head: bytes) -> str | None:
    """The container a file's first bytes announce (None if no audio we accept)."""
    if head.startswith(b"ID3"):
        return "mp3"
    if head.startswith(b"fLaC"):
        return "flac"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "wav"
    if head[:4] == b"FORM" and head[8:12] in (b"AIFF", b"AIFC"):
        return "aiff"
    if head.startswith(b"OggS"):
        return "ogg"
    if head[4:8] == b"ftyp":
        return "mp4"
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0:
        return "mpeg"  # an MPEG audio frame or an ADTS AAC frame without tags in front
    return None


def content_problem(head: bytes, filename: str) -> str | None:
    """Why the file's content is refused, or None when it starts like audio we accept."""
    if not head:
        return f"“{filename[:120]}” is empty (0 bytes). Please upload the file again."
    if sniff(head):
        return None
    for signature, what in _NOT_AUDIO:
        if head.startswith(signature):
            return f"“{filename[:120]}” is {what}, not audio. Upload {ACCEPTED_DESCRIPTION}."
    return (
        f"“{filename[:120]}” does not look like audio we can read, whatever its name says. "
        f"Upload {ACCEPTED_DESCRIPTION}."
    )
