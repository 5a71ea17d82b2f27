from django import forms

from backstage.forms import PictureField, VisibleErrorsMixin
from tracks.models import Visibility

from .models import Playlist

MAX_ID = 2**63 - 1  # BigAutoField; larger numbers would make the database raise

VISIBILITY_CHOICES = [
    (Visibility.PUBLIC, "Public — on your profile, anyone can find it"),
    (Visibility.UNLISTED, "Unlisted — anyone with the link"),
    (Visibility.PRIVATE, "Private — only you and your collaborators"),
]


class PlaylistForm(VisibleErrorsMixin, forms.ModelForm):
    visibility = forms.ChoiceField(
        choices=VISIBILITY_CHOICES, widget=forms.RadioSelect, initial=Visibility.PUBLIC
    )
    cover = PictureField(
        max_side=1200,
        stem="playlist",
        label="Cover picture",
        help_text="Without one, the covers of the first four tracks make a mosaic.",
    )

    class Meta:
        model = Playlist
        fields = ("title", "description", "visibility", "cover")
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def clean_title(self):
        return " ".join(self.cleaned_data["title"].split())  # CharField already refused blanks


class NewPlaylistForm(PlaylistForm):
    """Creating a playlist from a track's "add to playlist" menu carries that track along."""

    track = forms.CharField(required=False, max_length=16, widget=forms.HiddenInput)

    class Meta(PlaylistForm.Meta):
        fields = ("title", "description", "visibility")


class ItemForm(forms.Form):
    """Which item a move or removal is about; `after` empty means "to the top"."""

    item = forms.IntegerField(min_value=1, max_value=MAX_ID)
    after = forms.IntegerField(min_value=1, max_value=MAX_ID, required=False)
    page = forms.IntegerField(min_value=1, max_value=MAX_ID, required=False)


class AddChoicesForm(forms.Form):
    track = forms.CharField(max_length=16, required=False)
    release = forms.CharField(max_length=16, required=False)

    def clean(self):
        data = super().clean()
        if bool(data.get("track")) == bool(data.get("release")):
            raise forms.ValidationError("Choose one track or one release to add.")
        return data


class AddForm(AddChoicesForm):
    playlist = forms.CharField(max_length=16)


class InviteForm(forms.Form):
    who = forms.CharField(
        max_length=254, label="Username or e-mail address of the person to invite"
    )
