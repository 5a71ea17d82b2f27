"""Reading what is inside a file: duration, codec, rate, channels, tags and cover art."""

import pytest

from tests.audio_files import audio_file, audio_with_cover, picture
from tracks.audio import binaries, probe
from tracks.audio.errors import AudioError

TAGS = (
    ("title", "Night Swim"),
    ("genre", "Ambient"),
    ("composer", "Ada Lovelace"),
    ("date", "2021-05-04"),
)
CODECS = {
    "mp3": "mp3",
    "flac": "flac",
    "wav": "pcm",
    "aiff": "pcm",
    "ogg": "vorbis",
    "opus": "opus",
    "m4a": "mp4a.40.2",
    "aac": "aac",
}


@pytest.mark.parametrize("fmt", CODECS)
def test_it_describes_every_accepted_format(fmt):
    info = probe.probe(str(audio_file(fmt, seconds=3)))

    assert info.duration == pytest.approx(3, abs=0.1)
    assert info.codec == CODECS[fmt]
    assert info.sample_rate == (48000 if fmt == "opus" else 44100)
    assert info.channels == 2
    assert info.bitrate and info.bitrate > 0


@pytest.mark.parametrize("fmt", ["mp3", "flac", "ogg", "opus", "m4a"])
def test_it_reads_the_tags_musicians_fill_in(fmt):
    info = probe.probe(str(audio_file(fmt, seconds=3, tags=TAGS)))

    assert info.tags == {
        "title": "Night Swim",
        "genre": "Ambient",
        "composer": "Ada Lovelace",
        "date": "2021-05-04",
    }


def test_it_reads_the_riff_info_tags_ffmpeg_writes_into_wav_files():
    # mutagen only reads ID3 in WAV files; these tags come from ffprobe.
    info = probe.probe(str(audio_file("wav", seconds=3, tags=TAGS)))

    assert info.tags["title"] == "Night Swim"
    assert info.tags["genre"] == "Ambient"
    assert info.duration == pytest.approx(3, abs=0.01)


def test_it_reads_wav_tags_on_a_machine_without_ffprobe(monkeypatch):
    monkeypatch.setattr(binaries, "ffprobe", lambda: None)

    info = probe.probe(str(audio_file("wav", seconds=3, tags=TAGS)))

    assert info.tags["title"] == "Night Swim"
    assert info.duration == pytest.approx(3, abs=0.01)


def test_it_describes_a_file_mutagen_cannot_read_without_ffprobe(monkeypatch, tmp_path):
    monkeypatch.setattr(binaries, "ffprobe", lambda: None)
    monkeypatch.setattr(probe, "_probe_with_mutagen", lambda path: None)

    info = probe.probe(str(audio_file("ogg", seconds=3)))

    assert info.duration == pytest.approx(3, abs=0.1)
    assert info.codec == "vorbis"
    assert info.sample_rate == 44100
    assert info.channels == 2


def test_an_untagged_file_ffprobe_cannot_read_is_still_described_from_its_headers(monkeypatch):
    monkeypatch.setattr(probe, "_probe_with_ffprobe", lambda path: None)

    info = probe.probe(str(audio_file("flac", seconds=3)))

    assert info.duration == pytest.approx(3)
    assert info.tags == {}


@pytest.mark.parametrize("fmt", ["mp3", "flac"])
def test_it_finds_the_cover_art_inside_a_file(fmt):
    cover = picture(colour="orange")

    info = probe.probe(str(audio_with_cover(cover, fmt=fmt)))

    assert info.cover == cover


def test_it_caps_the_length_of_absurd_tags():
    info = probe.probe(str(audio_file("mp3", seconds=3, tags=(("title", "x" * 10_000),))))

    assert info.tags["title"] == "x" * probe.MAX_TAG_LENGTH


def test_it_reads_the_track_number_without_the_total():
    info = probe.probe(str(audio_file("m4a", seconds=3, tags=(("track", "3/12"),))))

    assert info.tags["track"] == "3"


@pytest.mark.parametrize(
    "content",
    [
        b"ID3\x04\x00\x00" + bytes(range(256)) * 40,
        b"fLaC" + b"\x00" * 4000,
        b"OggS" + b"\x17" * 4000,
        b"%PDF-1.7\n" + b"\x00" * 4000,
    ],
)
def test_it_refuses_files_with_no_readable_audio(tmp_path, content):
    path = tmp_path / "broken.mp3"
    path.write_bytes(content)

    with pytest.raises(AudioError, match="could not read any audio"):
        probe.probe(str(path))
