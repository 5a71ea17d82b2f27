class AudioError(Exception):
    """A problem with the file itself. The message is shown to the musician as it is."""


class TransientAudioError(Exception):
    """A problem with the machine (ffmpeg missing, disk full, storage down): worth a retry."""
