"""The public takedown request, the uploader's counter-notice, and staff's note."""

import uuid

from django import forms

from .models import CopyrightClaim
from .works import MAX_LINE, MAX_WORKS, find_works


def _same_name(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


class ClaimForm(forms.Form):
    submission = forms.UUIDField(widget=forms.HiddenInput)
    claimant_name = forms.CharField(label="Your full name", max_length=200)
    organisation = forms.CharField(
        label="Organisation (optional)",
        max_length=200,
        required=False,
        help_text="The company or collecting society you act for, if any.",
    )
    email = forms.EmailField(label="E-mail address", max_length=254)
    postal_address = forms.CharField(
        label="Postal address", max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )
    phone = forms.CharField(label="Phone (optional)", max_length=40, required=False)
    capacity = forms.ChoiceField(
        label="You are", choices=CopyrightClaim.Capacity.choices, widget=forms.RadioSelect
    )
    work_description = forms.CharField(
        label="The copyrighted work",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Describe the work you say is infringed: its title, its author, where it "
        "was published, and what on this site copies it.",
    )
    urls = forms.CharField(
        label="Addresses of the infringing works on this site",
        max_length=MAX_WORKS * (MAX_LINE + 2),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=f"One address per line, at most {MAX_WORKS}: the pages of the tracks, "
        "releases or playlists, as shown in your browser's address bar.",
    )
    good_faith = forms.BooleanField(
        label="I have a good-faith belief that the use of the material described above is not "
        "authorised by the copyright owner, its agent, or the law.",
        error_messages={"required": "Tick the good-faith statement: we cannot act without it."},
    )
    accurate_under_penalty = forms.BooleanField(
        label="The information in this notice is accurate, and under penalty of perjury, I am "
        "the owner, or authorised to act on behalf of the owner, of the copyright that is "
        "allegedly infringed.",
        error_messages={
            "required": "Tick the statement of accuracy: we cannot act without it.",
        },
    )
    signature = forms.CharField(
        label="Signature: type your full name",
        max_length=200,
        help_text="Typing your name here signs this notice.",
    )

    def __init__(self, *args, request_host: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.request_host = request_host
        if not self.is_bound:
            self.initial.setdefault("submission", uuid.uuid4())

    def clean_urls(self):
        return find_works(self.cleaned_data["urls"], request_host=self.request_host)

    def clean(self):
        data = super().clean()
        name, signature = data.get("claimant_name"), data.get("signature")
        if name and signature and not _same_name(name, signature):
            self.add_error("signature", "Sign with the full name you gave above.")
        return data


class CounterNoticeForm(forms.Form):
    statement = forms.CharField(
        label="Why the work was taken down by mistake",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Say why you have the right to publish it: you wrote it, you hold a "
        "licence, it is not the work the claim names…",
    )
    good_faith_mistake = forms.BooleanField(
        label="I swear, under penalty of perjury, that I have a good-faith belief that the "
        "material was removed or disabled as a result of mistake or misidentification.",
        error_messages={"required": "Tick the statement: we cannot restore the work without it."},
    )
    consent_to_jurisdiction = forms.BooleanField(
        label="I consent to the jurisdiction of the court for the judicial district of my "
        "address (or, outside the United States, any judicial district in which the site may "
        "be found), and I will accept service of process from the claimant.",
        error_messages={
            "required": "Tick the consent to jurisdiction: we cannot restore the work without it."
        },
    )
    postal_address = forms.CharField(
        label="Your postal address", max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )
    signature = forms.CharField(
        label="Signature: type your full name",
        max_length=200,
        help_text="Typing your name here signs this counter-notice. It is sent to the claimant.",
    )


class NoteForm(forms.Form):
    note = forms.CharField(
        label="Note (goes into the audit log and the claim's history)",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
    )
