"""The one ffmpeg pass: streaming copies, waveform peaks and loudness."""

import pytest

from tests.audio_files import audio_file, cut_short, silent_file
from tracks.audio import binaries, probe, render
from tracks.audio.errors import AudioError, TransientAudioError


def rendered(path, tmp_path, *, declared_duration=None):
    if declared_duration is None:
        declared_duration = probe.probe(str(path)).duration
    return render.render(str(path), tmp_path, declared_duration=declared_duration, timeout=60)


@pytest.fixture(scope="module")
def melody(tmp_path_factory):
    """The 3-second melody rendered once for the tests that only look at the result."""
    return rendered(audio_file("flac", seconds=3), tmp_path_factory.mktemp("melody"))


def test_it_makes_an_opus_and_an_mp3_copy_that_play_for_as_long_as_the_original(melody):
    result = melody

    assert set(result.files) == {"opus", "mp3"}
    opus = probe.probe(str(result.files["opus"]))
    mp3 = probe.probe(str(result.files["mp3"]))
    assert (opus.codec, mp3.codec) == ("opus", "mp3")
    assert opus.duration == pytest.approx(3, abs=0.1)
    assert mp3.duration == pytest.approx(3, abs=0.1)
    assert opus.channels == mp3.channels == 2
    assert result.bitrates == {"opus": 96_000, "mp3": 128_000}
    assert result.decoded_seconds == pytest.approx(3, abs=0.05)


def test_the_copies_carry_no_tags_or_pictures_from_the_original(tmp_path):
    source = audio_file("mp3", seconds=3, tags=(("title", "Private demo"),))

    result = rendered(source, tmp_path)

    assert probe.probe(str(result.files["mp3"])).tags.get("title") is None
    assert probe.probe(str(result.files["opus"])).tags.get("title") is None


@pytest.mark.parametrize(("rate", "fmt"), [(96000, "flac"), (22050, "mp3"), (48000, "wav")])
def test_it_renders_unusual_sample_rates(tmp_path, rate, fmt):
    result = rendered(audio_file(fmt, seconds=2, rate=rate), tmp_path)

    assert probe.probe(str(result.files["opus"])).duration == pytest.approx(2, abs=0.1)
    assert probe.probe(str(result.files["mp3"])).duration == pytest.approx(2, abs=0.1)


def test_the_waveform_has_600_bars_scaled_to_the_loudest(tmp_path):
    result = rendered(audio_file("flac", seconds=8), tmp_path)

    assert len(result.peaks) == render.WAVEFORM_BARS
    assert all(0 <= bar <= 100 for bar in result.peaks)
    assert max(result.peaks) == 100
    assert min(result.peaks) < 60  # the arpeggio's notes fade: the waveform is not flat


def test_a_short_file_gets_one_bar_per_10_ms(melody):
    assert len(melody.peaks) == 300


def test_it_measures_loudness(melody):
    assert -30 < melody.loudness_lufs < -5


def test_a_silent_file_renders_with_a_flat_waveform(tmp_path):
    result = rendered(silent_file(), tmp_path)

    assert set(result.peaks) == {0}
    assert result.loudness_lufs is None or result.loudness_lufs <= -70
    assert probe.probe(str(result.files["mp3"])).duration == pytest.approx(3, abs=0.1)


def test_it_refuses_a_file_that_holds_less_audio_than_it_announces(tmp_path):
    with pytest.raises(AudioError, match="cut short") as caught:
        rendered(audio_file("flac", seconds=3), tmp_path, declared_duration=10)

    assert "it says it lasts 0:10, but only 0:03 of audio could be read" in str(caught.value)


def test_it_refuses_a_real_flac_cut_in_the_middle(tmp_path):
    path = tmp_path / "cut.flac"
    path.write_bytes(cut_short("flac"))

    with pytest.raises(AudioError, match="cut short"):
        rendered(path, tmp_path)


def test_it_refuses_bytes_that_do_not_decode(tmp_path):
    path = tmp_path / "noise.mp3"
    path.write_bytes(b"ID3\x04\x00\x00\x00\x00\x00\x00" + bytes(range(256)) * 100)

    with pytest.raises(AudioError, match="could not decode"):
        rendered(path, tmp_path, declared_duration=3)


def test_a_missing_ffmpeg_is_a_machine_problem_worth_retrying(tmp_path, monkeypatch):
    monkeypatch.setattr(binaries, "ffmpeg", lambda: str(tmp_path / "no-such-ffmpeg"))

    with pytest.raises(TransientAudioError):
        rendered(audio_file("flac", seconds=3), tmp_path, declared_duration=3)
