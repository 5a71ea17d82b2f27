"""The pure parsing functions under Hypothesis: the same properties the atheris harness
checks for longer (`make fuzz`), at unit-suite size."""

import json

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from tests.audio_files import audio_bytes

from . import parsers
from .profiles import fuzz

HEADS = [b"ID3", b"fLaC", b"RIFF\x00\x00\x00\x00WAVE", b"FORM\x00\x00\x00\x00AIFF", b"OggS",
         b"\x00\x00\x00\x18ftyp", b"\xff\xfb", b"%PDF", b"PK\x03\x04", b"MThd"]  # fmt: skip


def heads():
    return st.one_of(
        st.binary(max_size=80),
        st.tuples(st.sampled_from(HEADS), st.binary(max_size=60)).map(b"".join),
    )


@fuzz(examples=300)
@given(data=heads())
@example(data=b"")
@example(data=b"song." + b"\x00" * 900)  # atheris: the refusal echoed a 901-character extension
def test_sniffing_never_raises_and_refuses_exactly_what_it_cannot_name(data):
    parsers.check_sniff(data)


@fuzz(examples=60)
@given(
    data=st.one_of(
        st.tuples(st.sampled_from(HEADS), st.binary(max_size=400)).map(b"".join),
        st.builds(
            lambda fmt, cut, flips: _damaged(audio_bytes(fmt, seconds=1), cut, flips),
            st.sampled_from(["mp3", "flac", "wav", "ogg", "opus", "m4a", "aiff"]),
            st.floats(0.01, 1.0),
            st.lists(st.tuples(st.integers(0, 1 << 16), st.integers(0, 255)), max_size=20),
        ),
    )
)
def test_mutagen_on_damaged_files_describes_them_or_gives_up(data):
    parsers.check_probe(data)


def _damaged(data: bytes, cut: float, flips) -> bytes:
    damaged = bytearray(data[: max(1, int(len(data) * cut))])
    for index, value in flips:
        damaged[index % len(damaged)] = value
    return bytes(damaged)


@fuzz(examples=300)
@given(
    data=st.one_of(
        st.binary(max_size=300),
        st.dictionaries(
            st.sampled_from(["token", "seq", "event", "position", "at", "track", "x"]),
            st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
        ).map(lambda d: json.dumps(d).encode()),
    )
)
@example(data=b"[" * 2000)  # was: RecursionError out of json.loads
def test_beacon_bodies_are_read_or_refused_with_a_message(data):
    parsers.check_beacon(data)


@pytest.fixture
def _site(settings):
    settings.SITE_URL = "https://music.example"


@fuzz(examples=300)
@given(
    data=st.one_of(
        st.binary(max_size=80),
        st.tuples(
            st.sampled_from(["/track/", "/release/", "/playlist/", "/embed/track/", "/@", "/"]),
            st.text(max_size=20),
            st.sampled_from(["", "/", "/slug/", "%00", "/%00/"]),
        ).map(lambda parts: "".join(parts).encode("utf-8", "surrogatepass")),
    )
)
@example(data=b"/track/%00/")  # was: NUL sent on to PostgreSQL, a 500
def test_oembed_urls_are_our_pages_or_a_404(data, _site):
    parsers.check_oembed_url(data)
