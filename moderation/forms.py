from django import forms

from backstage.forms import VisibleErrorsMixin

from .models import MAX_DETAILS, Category

MAX_NOTE = 2000


class ReportForm(VisibleErrorsMixin, forms.Form):
    category = forms.ChoiceField(
        choices=Category.choices,
        widget=forms.RadioSelect,
        label="What is wrong?",
        error_messages={
            "required": "Choose what is wrong.",
            "invalid_choice": "Choose one of the listed reasons.",
        },
    )
    details = forms.CharField(
        required=False,
        max_length=MAX_DETAILS,
        label="What should staff know? (optional)",
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": MAX_DETAILS}),
        error_messages={
            "max_length": f"Please keep it under {MAX_DETAILS:,} characters (you wrote "
            "%(show_value)d)."
        },
    )
    email = forms.EmailField(
        label="Your e-mail address",
        help_text="We write to you once, when staff have looked at your report.",
        max_length=254,
        error_messages={
            "required": "Give your e-mail address, so we can tell you what we did.",
            "invalid": "That does not look like an e-mail address.",
            "max_length": "That e-mail address is too long.",
        },
    )

    def __init__(self, *args, signed_in: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if signed_in:  # answered at the account's address
            del self.fields["email"]


class NoteForm(VisibleErrorsMixin, forms.Form):
    """The note every moderation action needs (it goes into the audit log)."""

    note = forms.CharField(
        max_length=MAX_NOTE,
        label="Note (why) — kept in the audit log",
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": MAX_NOTE}),
        error_messages={"required": "Write a note saying why: it goes into the audit log."},
    )
