from tests.audio_files import audio_file
from tracks.audio import probe


def test_generated_flac_has_a_duration():
    assert 3.9 < probe.probe(str(audio_file("flac"))).duration < 4.1
