from django import forms
from django.core.validators import URLValidator
from django.utils.text import slugify

from backstage.forms import PictureField, VisibleErrorsMixin

from .models import Artist
from .skills import MAX_GENRE_LENGTH, MAX_GENRES, SKILLS, normalise_genre

MAX_LINKS = 10


class ArtistForm(VisibleErrorsMixin, forms.ModelForm):
    links = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Your website, shop, socials — one address per line.",
    )
    skills = forms.MultipleChoiceField(
        choices=SKILLS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Skills and roles",
        help_text="What you can bring to someone else's music. Other artists filter by these.",
    )
    genres = forms.CharField(
        required=False,
        max_length=200,
        label="Genres",
        help_text=f"Up to {MAX_GENRES}, separated by commas: “downtempo, trip hop”.",
    )
    avatar = PictureField(max_side=800, stem="avatar", label="Avatar (square works best)")
    banner = PictureField(max_side=2400, stem="banner", label="Banner")

    class Meta:
        model = Artist
        fields = (
            "name",
            "slug",
            "location",
            "bio",
            "links",
            "skills",
            "genres",
            "open_to_collab",
            "avatar",
            "banner",
        )
        labels = {"slug": "Address"}
        help_texts = {"slug": "Your page will live at /@address."}
        widgets = {"bio": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["links"] = "\n".join(self.instance.links)
            self.initial["genres"] = ", ".join(self.instance.genres)

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

    def clean_genres(self):
        return clean_genre_list(self.cleaned_data["genres"])


def clean_genre_list(text: str) -> list[str]:
    """Comma-separated genres → a normalised list without repeats; ValidationError when there
    are too many or one is too long."""
    genres = []
    for part in text.split(","):
        genre = normalise_genre(part)
        if genre and genre not in genres:
            genres.append(genre)
    if len(genres) > MAX_GENRES:
        raise forms.ValidationError(f"At most {MAX_GENRES} genres, please.")
    for genre in genres:
        if len(genre) > MAX_GENRE_LENGTH:
            raise forms.ValidationError(
                f"“{genre[:40]}…” is long for a genre: at most {MAX_GENRE_LENGTH} characters."
            )
    return genres
