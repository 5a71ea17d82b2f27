"""Which files we accept: by name before the upload, by their first bytes after it."""

import pytest

from tests.audio_files import FORMATS, audio_bytes, picture
from tracks.audio.formats import (
    ACCEPTED_DESCRIPTION,
    content_problem,
    extension_problem,
    sniff,
)


@pytest.mark.parametrize(
    "filename",
    [
        "song.mp3",
        "song.flac",
        "song.wav",
        "song.aif",
        "song.aiff",
        "song.aifc",
        "song.ogg",
        "song.oga",
        "song.opus",
        "song.m4a",
        "song.aac",
        "MASTER FINAL v3.FLAC",
        "a.b.c.Wav",
    ],
)
def test_it_accepts_every_audio_format_by_name_whatever_the_case(filename):
    assert extension_problem(filename) is None


@pytest.mark.parametrize(
    ("filename", "shown"),
    [
        ("setup.exe", ".exe"),
        ("song.mid", ".mid"),
        ("song", "no extension"),
        ("cover.jpg", ".jpg"),
        ("project.wma", ".wma"),
    ],
)
def test_it_refuses_other_names_and_lists_what_it_accepts(filename, shown):
    problem = extension_problem(filename)

    assert f"“{filename}”" in problem
    assert shown in problem
    assert ACCEPTED_DESCRIPTION in problem


def test_it_shortens_a_very_long_name_in_its_message():
    problem = extension_problem("x" * 5000 + ".exe")

    assert len(problem) < 300


@pytest.mark.parametrize(
    ("fmt", "container"),
    [
        ("mp3", "mp3"),
        ("flac", "flac"),
        ("wav", "wav"),
        ("aiff", "aiff"),
        ("ogg", "ogg"),
        ("opus", "ogg"),
        ("m4a", "mp4"),
        ("aac", "mpeg"),
    ],
)
def test_it_recognises_real_audio_by_its_first_bytes(fmt, container):
    head = audio_bytes(fmt, seconds=3)[:64]

    assert sniff(head) == container
    assert content_problem(head, f"song{FORMATS[fmt][0]}") is None


def test_it_recognises_an_mp3_without_tags_by_its_frame_header():
    assert sniff(b"\xff\xfb\x90\x64" + bytes(60)) == "mpeg"


@pytest.mark.parametrize(
    ("head", "named"),
    [
        (b"%PDF-1.7\n%\xe2\xe3", "a PDF document"),
        (b"PK\x03\x04\x14\x00\x06\x00", "a ZIP archive"),
        (b"\x89PNG\r\n\x1a\n", "a PNG picture"),
        (picture()[:64], "a JPEG picture"),
        (b"MThd\x00\x00\x00\x06", "a MIDI file"),
        (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81", "a Matroska/WebM video"),
    ],
)
def test_it_names_what_a_non_audio_file_really_is(head, named):
    problem = content_problem(head, "my song.mp3")

    assert f"“my song.mp3” is {named}" in problem
    assert ACCEPTED_DESCRIPTION in problem


def test_it_refuses_unknown_bytes_whatever_the_name_says():
    problem = content_problem(b"just some notes about the mix\n", "song.flac")

    assert "does not look like audio" in problem
    assert ACCEPTED_DESCRIPTION in problem


def test_it_calls_an_empty_file_empty():
    assert "is empty (0 bytes)" in content_problem(b"", "song.wav")
