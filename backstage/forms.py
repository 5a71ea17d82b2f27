"""Form pieces shared by every app."""

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat

from .images import normalise_image


class PictureField(forms.ImageField):
    """An uploaded picture, size-capped and re-encoded (see backstage/images.py)."""

    def __init__(self, *, max_side: int = 1600, stem: str = "picture", **kwargs):
        self.max_side = max_side
        self.stem = stem
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "widget",
            forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}),
        )
        super().__init__(**kwargs)

    def to_python(self, data):
        if data in self.empty_values:
            return None
        if data.size > settings.IMAGE_MAX_BYTES:
            limit = filesizeformat(settings.IMAGE_MAX_BYTES)
            raise forms.ValidationError(f"This picture is too large: the limit is {limit}.")
        # FileField's checks only (name, emptiness): the picture itself is identified by its
        # content, with our own messages, in normalise_image.
        forms.FileField.to_python(self, data)
        data.seek(0)
        return normalise_image(data, max_side=self.max_side, stem=self.stem)


class VisibleErrorsMixin:
    """Adds aria-invalid to fields with errors so screen readers announce them."""

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs["aria-invalid"] = "true"


def form_changes(form: forms.Form) -> dict:
    """A valid form's data as services take it: an untouched picture field keeps the picture
    (dropped here), a ticked "clear" box removes it (becomes "")."""
    data = {}
    for name, value in form.cleaned_data.items():
        if isinstance(form.fields[name], PictureField) and value is None:
            continue
        clear = value is False and isinstance(form.fields[name], forms.FileField)
        data[name] = "" if clear else value
    return data


class PreferencesForm(VisibleErrorsMixin, forms.Form):
    email_new_releases = forms.BooleanField(
        required=False,
        label="E-mail me when an artist I follow releases music",
        help_text="At most one e-mail per release. Every e-mail has a one-click unsubscribe link.",
    )
    public_profile = forms.BooleanField(
        required=False,
        label="Show my public profile",
        help_text="A page with your public playlists and the artists you follow.",
    )
