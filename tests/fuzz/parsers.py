"""The properties of the pure parsing functions, shared by the Hypothesis tests
(test_parsers.py, in the unit suite) and the atheris harness (atheris_parsers.py, `make fuzz`).

Each `check_*` takes raw bytes, calls one function the way the site does, and fails with an
AssertionError (or lets an unexpected exception out) when the function misbehaves.
"""

import math
import tempfile
from pathlib import Path

from analytics import counting, payload
from tracks.audio import formats, probe

AUDIO_SUFFIXES = sorted(formats.ACCEPTED_EXTENSIONS)


def check_sniff(data: bytes) -> None:
    """Sniffing and naming never raise; a head is refused exactly when it sniffs as nothing;
    refusals are one clear, bounded sentence about the file."""
    stem = "x" + data[:40].decode("utf-8", "replace").replace("/", "_")
    name = stem + AUDIO_SUFFIXES[len(data) % len(AUDIO_SUFFIXES)]
    head = data[:64]
    kind = formats.sniff(head)
    problem = formats.content_problem(head, name)
    assert (problem is None) == (kind is not None and bool(head))
    if problem is not None:
        assert problem.strip() and len(problem) < 400
    assert formats.extension_problem(name) is None
    other = formats.extension_problem(data.decode("utf-8", "replace"))
    assert other is None or (other.strip() and len(other) < 400)


def check_probe(data: bytes) -> None:
    """mutagen on any bytes: a description or None (then ffprobe is asked), never an exception
    the pipeline does not expect."""
    suffix = AUDIO_SUFFIXES[data[0] % len(AUDIO_SUFFIXES)] if data else ".mp3"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"upload{suffix}"
        path.write_bytes(data)
        info = probe._probe_with_mutagen(str(path))
    if info is not None:
        assert math.isfinite(info.duration) or info.duration == 0
        for text in info.tags.values():
            assert "\x00" not in text and len(text) <= probe.MAX_TAG_LENGTH


def check_beacon(data: bytes) -> None:
    """A beacon body is read into checked fields or refused with a message, nothing else."""
    try:
        beacon = payload.read_beacon(data)
    except payload.BadBeacon as refusal:
        assert str(refusal).strip()
        return
    assert set(beacon) <= payload.BEACON_KEYS and isinstance(beacon["token"], str)
    assert type(beacon["seq"]) is int and 0 <= beacon["seq"] <= payload.MAX_SEQ
    assert beacon["event"] in counting.EVENTS
    assert math.isfinite(beacon["position"]) and beacon["position"] >= 0
    assert math.isfinite(beacon["at"]) and 0 <= beacon["at"] < 1e14


def check_oembed_url(data: bytes) -> None:
    """An oEmbed url is one of our embeddable pages (its id free of NUL) or a 404."""
    from django.http import Http404

    from playlists import oembed

    url = data.decode("utf-8", "replace")
    if data[:1] == b"/":  # give the fuzzer our host for free: paths are the interesting part
        url = "https://music.example" + url
    try:
        kind, kwargs = oembed.page_route(url)
    except Http404 as refusal:
        assert str(refusal).strip()
        return
    assert kind in set(oembed.ROUTES.values())
    assert all("\x00" not in str(value) for value in kwargs.values())


CHECKS = {
    "sniff": check_sniff,
    "probe": check_probe,
    "beacon": check_beacon,
    "oembed": check_oembed_url,
}
