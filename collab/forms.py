import datetime

from django import forms

from artists.models import Artist
from artists.skills import MAX_GENRE_LENGTH, SKILLS, normalise_genre
from backstage.forms import VisibleErrorsMixin

from . import selectors
from .models import Call, today
from .services import MAX_ANSWER_TRACKS, MAX_DAYS_AHEAD, Refused, check_deadline


class ReferenceTrackField(forms.ModelChoiceField):
    def label_from_instance(self, track):
        return f"{track.title} ({track.get_visibility_display().split(' —')[0].lower()})"


class AnswerTracksField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, track):
        return track.title


class CallForm(VisibleErrorsMixin, forms.ModelForm):
    skills = forms.MultipleChoiceField(
        choices=SKILLS,
        widget=forms.CheckboxSelectMultiple,
        label="Skills wanted",
        error_messages={"required": "Tick at least one skill you are looking for."},
    )
    genre = forms.CharField(
        required=False, max_length=MAX_GENRE_LENGTH, help_text="One genre, e.g. “downtempo”."
    )
    compensation = forms.ChoiceField(
        choices=Call.Compensation.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether the work is paid, a revenue share or unpaid."},
    )
    deadline = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=f"The last day to answer (at most {MAX_DAYS_AHEAD} days ahead). "
        "The call closes by itself after it.",
    )

    class Meta:
        model = Call
        fields = (
            "title",
            "description",
            "skills",
            "genre",
            "remote",
            "place",
            "compensation",
            "deadline",
            "reference_track",
        )
        field_classes = {"reference_track": ReferenceTrackField}
        labels = {
            "remote": "Remote is fine",
            "place": "Or in person, in",
            "reference_track": "Reference track (optional)",
        }
        help_texts = {
            "title": "“Vocalist for a downtempo track”",
            "place": "A city or a studio, if you would rather meet.",
            "reference_track": "One of your private or unlisted uploads. Only you and the "
            "artists who answer can play it.",
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, poster: Artist, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reference_track"].queryset = selectors.reference_choices(artist=poster)
        self.fields["reference_track"].empty_label = "None"
        self.fields["deadline"].widget.attrs.update(
            min=(today() + datetime.timedelta(days=1)).isoformat(),
            max=(today() + datetime.timedelta(days=MAX_DAYS_AHEAD)).isoformat(),
        )

    def clean_genre(self):
        return normalise_genre(self.cleaned_data["genre"])

    def clean_deadline(self):
        deadline = self.cleaned_data["deadline"]
        try:
            check_deadline(deadline)
        except Refused as exc:
            raise forms.ValidationError(str(exc)) from exc
        return deadline

    def clean(self):
        data = super().clean()
        if not data.get("remote") and not data.get("place", "").strip():
            self.add_error("place", "Say where: tick “remote is fine” or name a place.")
        return data


class AnswerForm(VisibleErrorsMixin, forms.Form):
    message = forms.CharField(
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 5}),
        label="Your message",
        help_text="Who you are, what you would bring, when you are free.",
    )
    tracks = AnswerTracksField(
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=f"Your tracks to listen to (up to {MAX_ANSWER_TRACKS})",
        error_messages={"invalid_choice": "You can only link your own public tracks."},
    )

    def __init__(self, *args, applicant: Artist, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tracks"].queryset = selectors.answer_track_choices(artist=applicant)

    def clean_tracks(self):
        tracks = list(self.cleaned_data["tracks"])
        if len(tracks) > MAX_ANSWER_TRACKS:
            raise forms.ValidationError(f"Pick at most {MAX_ANSWER_TRACKS} tracks.")
        return tracks


class DirectoryFilter(forms.Form):
    """The directory's query string; anything unreadable is ignored, never an error page."""

    q = forms.CharField(required=False, max_length=100, label="Search names and bios")
    skill = forms.ChoiceField(choices=[("", "Any skill"), *SKILLS], required=False)
    genre = forms.CharField(required=False, max_length=MAX_GENRE_LENGTH)
    location = forms.CharField(required=False, max_length=100)
    open = forms.BooleanField(required=False, label="Open to collaborate now")


class BoardFilter(forms.Form):
    skill = forms.ChoiceField(choices=[("", "Any skill"), *SKILLS], required=False)
    genre = forms.CharField(required=False, max_length=MAX_GENRE_LENGTH)
    compensation = forms.ChoiceField(
        choices=[("", "Any"), *Call.Compensation.choices], required=False
    )


def clean_filters(form: forms.Form) -> dict:
    """A filter form's valid values ("" for each one that is not)."""
    form.is_valid()
    return {name: form.cleaned_data.get(name) or "" for name in form.fields}
