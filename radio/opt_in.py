"""Artists choosing which of their tracks the radio may play (Track.radio_enabled)."""

from django import forms
from django.db import transaction

from artists.models import Artist
from tracks.models import Track
from tracks.services import update_track

MAX_TRACKS = 500  # one bulk change at most: more than any artist's list shows at once


class RadioChoiceForm(forms.Form):
    """Tracks ticked on the studio's radio list, and whether they go on or off the radio."""

    tracks = forms.MultipleChoiceField(
        error_messages={
            "required": "Tick at least one track first.",
            "invalid_choice": "One of the ticked tracks is not yours, or no longer exists.",
        }
    )
    radio = forms.TypedChoiceField(
        choices=(("on", "Put on the radio"), ("off", "Take off the radio")),
        coerce=lambda value: value == "on",
        error_messages={"required": "Choose whether to put them on or off the radio."},
    )

    def __init__(self, data=None, *, tracks: list[Track]):
        super().__init__(data)
        self.fields["tracks"].choices = [(t.public_id, t.title) for t in tracks]

    def clean_tracks(self):
        chosen = self.cleaned_data["tracks"]
        if len(chosen) > MAX_TRACKS:
            raise forms.ValidationError(f"Choose at most {MAX_TRACKS} tracks at a time.")
        return list(dict.fromkeys(chosen))  # a track ticked twice is one track


def artist_tracks(*, artist: Artist) -> list[Track]:
    """Everything the artist uploaded, newest first, for the radio on/off list."""
    return list(Track.objects.filter(artist=artist).order_by("-created_at", "-pk"))


def set_radio_enabled(*, artist: Artist, public_ids: list[str], enabled: bool) -> int:
    """Put the artist's tracks named by `public_ids` on or off the radio; returns how many
    changed. Each goes through update_track, so its save signals fire as for an edit (the
    live schedule drops a track taken off the radio at once)."""
    changed = 0
    with transaction.atomic():
        for track in Track.objects.filter(artist=artist, public_id__in=public_ids).exclude(
            radio_enabled=enabled
        ):
            update_track(track=track, radio_enabled=enabled)
            changed += 1
    return changed
