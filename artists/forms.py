from django import forms
from django.core.validators import URLValidator
from django.utils.text import slugify

from backstage.forms import PictureField, VisibleErrorsMixin

from .models import Artist

MAX_LINKS = 10


class ArtistForm(VisibleErrorsMixin, forms.ModelForm):
    links = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Your website, shop, socials — one address per line.",
    )
    avatar = PictureField(max_side=800, stem="avatar", label="Avatar (square works best)")
    banner = PictureField(max_side=2400, stem="banner", label="Banner")

    class Meta:
        model = Artist
        fields = ("name", "slug", "location", "bio", "links", "avatar", "banner")
        labels = {"slug": "Address"}
        help_texts = {"slug": "Your page will live at /@address."}
        widgets = {"bio": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["links"] = "\n".join(self.instance.links)

    def clean_slug(self):
        slug = slugify(self.cleaned_data["slug"])
        clash = Artist.objects.filter(slug=slug).exclude(pk=self.instance.pk).exists()
        if clash:
            raise forms.ValidationError("That address is taken. Try another one.")
        return slug

    def clean_links(self):
        lines = [line.strip() for line in self.cleaned_data["links"].splitlines() if line.strip()]
        if len(lines) > MAX_LINKS:
            raise forms.ValidationError(f"At most {MAX_LINKS} links, please.")
        validate = URLValidator(schemes=["http", "https"])
        for line in lines:
            try:
                validate(line)
            except forms.ValidationError as exc:
                raise forms.ValidationError(
                    f"“{line[:80]}” is not a web address (it should start with https://)."
                ) from exc
        return lines
