"""One ffmpeg pass that decodes the original once and makes everything a track needs.

The decoded audio is split four ways: an Opus and an MP3 streaming copy, the EBU R128 meter
(integrated loudness) and an 8 kHz mono feed piped back to us for the waveform. Memory stays
flat whatever the file's size: ffmpeg streams, and we keep one peak per 10 ms window.
"""

import re
import subprocess
import tempfile
from array import array
from dataclasses import dataclass
from pathlib import Path

from . import binaries
from .errors import AudioError, TransientAudioError

PEAK_RATE = 8000  # Hz of the waveform feed
WINDOW = PEAK_RATE // 100  # samples per 10 ms window
WAVEFORM_BARS = 600
READ_SIZE = 1 << 16

OUTPUTS = {
    # format: (extension, ffmpeg output options, nominal bitrate)
    "opus": (
        ".opus",
        ["-c:a", "libopus", "-b:a", "96k", "-vbr", "on", "-ac", "2", "-f", "ogg"],
        96_000,
    ),
    "mp3": (
        ".mp3",
        ["-c:a", "libmp3lame", "-b:a", "128k", "-compression_level", "6", "-ac", "2", "-f", "mp3"],
        128_000,
    ),
}

MESSAGE_TRUNCATED = (
    "This file seems to be cut short: it says it lasts {declared}, but only {decoded} of audio "
    "could be read. Please upload the complete file."
)
MESSAGE_UNDECODABLE = (
    "We could not decode the audio in this file. It may be damaged; try exporting it again "
    "from your audio software as FLAC, WAV or MP3."
)
_INTEGRATED = re.compile(rb"I:\s+(-?[\d.]+|-inf) LUFS")


@dataclass
class Rendered:
    files: dict[str, Path]  # format -> path of the streaming copy
    bitrates: dict[str, int]
    peaks: list[int]  # WAVEFORM_BARS values, 0..100
    loudness_lufs: float | None
    decoded_seconds: float


def render(source: str, workdir: Path, *, declared_duration: float, timeout: int) -> Rendered:
    """Decode `source` once into streaming copies in `workdir`, with peaks and loudness."""
    files = {fmt: workdir / f"{fmt}{ext}" for fmt, (ext, _, _) in OUTPUTS.items()}
    graph = (
        f"[0:a:0]asplit=4[opus][mp3][meter][wave];"
        f"[meter]ebur128=framelog=verbose[metered];"
        f"[wave]aresample={PEAK_RATE},aformat=sample_fmts=s16:channel_layouts=mono[peaks]"
    )
    args = [
        binaries.ffmpeg(),
        "-hide_banner",
        "-nostdin",
        "-nostats",
        "-y",
        "-i",
        source,
        "-filter_complex",
        graph,
    ]
    for fmt, (_, options, _) in OUTPUTS.items():
        # Per output: ffmpeg applies an option only to the output file that follows it.
        args += ["-map", f"[{fmt}]", "-map_metadata", "-1", *options, str(files[fmt])]
    args += ["-map", "[metered]", "-f", "null", "-", "-map", "[peaks]", "-f", "s16le", "pipe:1"]

    with tempfile.TemporaryFile(dir=workdir) as log:
        try:
            process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=log)
        except OSError as exc:
            raise TransientAudioError(f"Could not start ffmpeg: {exc}") from exc
        try:
            windows, samples = _read_peaks(process.stdout)
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            process.kill()
            process.wait()
            raise AudioError("Processing this file took too long and was stopped.") from exc
        finally:
            process.stdout.close()
        log.seek(0)
        report = log.read()

    decoded = samples / PEAK_RATE
    if process.returncode != 0 or samples == 0:
        if b"No space left" in report:
            raise TransientAudioError("The processing machine ran out of disk space.")
        raise AudioError(MESSAGE_UNDECODABLE)
    if declared_duration and decoded < 0.9 * declared_duration - 1:
        raise AudioError(
            MESSAGE_TRUNCATED.format(declared=_clock(declared_duration), decoded=_clock(decoded))
        )
    return Rendered(
        files=files,
        bitrates={fmt: bitrate for fmt, (_, _, bitrate) in OUTPUTS.items()},
        peaks=_bars(windows),
        loudness_lufs=_integrated_loudness(report),
        decoded_seconds=decoded,
    )


def _read_peaks(stream) -> tuple[array, int]:
    """Peak absolute sample value per 10 ms window of the s16le feed, and the sample count."""
    windows = array("H")
    samples = 0
    leftover = b""
    while chunk := stream.read(READ_SIZE):
        data = leftover + chunk
        usable = len(data) - len(data) % (WINDOW * 2)
        leftover = data[usable:]
        block = array("h", data[:usable])
        samples += len(block)
        for start in range(0, len(block), WINDOW):
            window = block[start : start + WINDOW]
            windows.append(min(32767, max(max(window), -min(window))))
    if len(leftover) >= 2:
        block = array("h", leftover[: len(leftover) - len(leftover) % 2])
        samples += len(block)
        windows.append(min(32767, max(max(block), -min(block))))
    return windows, samples


def _bars(windows: array) -> list[int]:
    """Fold the windows into WAVEFORM_BARS bars scaled 0..100 against the loudest."""
    if not windows:
        return []
    count = min(WAVEFORM_BARS, len(windows))
    step = len(windows) / count
    bars = [
        max(windows[int(i * step) : max(int((i + 1) * step), int(i * step) + 1)])
        for i in range(count)
    ]
    loudest = max(bars) or 1
    return [round(100 * bar / loudest) for bar in bars]


def _integrated_loudness(report: bytes) -> float | None:
    matches = _INTEGRATED.findall(report)
    if not matches or matches[-1] == b"-inf":
        return None
    return float(matches[-1])


def _clock(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 60}:{seconds % 60:02d}"
