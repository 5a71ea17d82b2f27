from django import forms
from django.utils.text import slugify

from backstage.forms import PictureField, VisibleErrorsMixin

from .models import Release, Track, Visibility

MAX_TAGS = 10


class TrackForm(VisibleErrorsMixin, forms.ModelForm):
    tags = forms.CharField(
        required=False,
        max_length=300,
        help_text="Up to 10, separated by commas: “dream pop, lo-fi”.",
    )
    cover = PictureField(stem="cover", label="Cover art")

    class Meta:
        model = Track
        fields = (
            "title",
            "genre",
            "tags",
            "credits",
            "release_date",
            "licence",
            "visibility",
            "radio_enabled",
            "cover",
        )
        labels = {"radio_enabled": "Play it on the radio"}
        help_texts = {
            "radio_enabled": "Backstage Radio and personal stations may play this track to "
            "listeners discovering new music. Untick to keep it off the radio."
        }
        widgets = {
            "credits": forms.Textarea(
                attrs={"rows": 3, "placeholder": "Vocals: …\nProduced by: …"}
            ),
            "release_date": forms.DateInput(attrs={"type": "date"}),
            "visibility": forms.RadioSelect,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["tags"] = ", ".join(self.instance.tags)

    def clean_tags(self):
        tags = []
        for raw in self.cleaned_data["tags"].split(","):
            tag = slugify(raw.strip()).replace("-", " ")[:30]
            if tag and tag not in tags:
                tags.append(tag)
        if len(tags) > MAX_TAGS:
            raise forms.ValidationError(f"At most {MAX_TAGS} tags, please.")
        return tags


class ReleaseForm(VisibleErrorsMixin, forms.ModelForm):
    cover = PictureField(stem="cover", label="Cover art")

    class Meta:
        model = Release
        fields = ("title", "kind", "release_date", "description", "visibility", "cover")
        widgets = {
            "release_date": forms.DateInput(attrs={"type": "date"}),
            "description": forms.Textarea(attrs={"rows": 4}),
            "visibility": forms.RadioSelect,
        }


class NewReleaseForm(ReleaseForm):
    """The release part of the upload page; its visibility comes from "Who can listen"."""

    visibility = forms.ChoiceField(
        choices=Visibility.choices, initial=Visibility.PUBLIC, widget=forms.HiddenInput
    )


class UploadStartForm(forms.Form):
    filename = forms.CharField(max_length=1000)
    size = forms.IntegerField(min_value=0)
    release = forms.CharField(required=False, max_length=16)
    position = forms.IntegerField(required=False, min_value=0, max_value=999)


class UploadCompleteForm(forms.Form):
    visibility = forms.ChoiceField(choices=Visibility.choices, required=False)


class TrackOrderForm(forms.Form):
    order = forms.CharField(required=False, max_length=5000)

    def clean_order(self):
        try:
            return [int(part) for part in self.cleaned_data["order"].split(",") if part.strip()]
        except ValueError as exc:
            raise forms.ValidationError("The track order could not be read.") from exc
