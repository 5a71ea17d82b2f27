import uuid

from django import forms

from backstage.forms import VisibleErrorsMixin

from . import services
from .models import MAX_BODY


class MessageForm(VisibleErrorsMixin, forms.Form):
    body = forms.CharField(
        required=False,  # services.clean_body says what is wrong in words a person understands
        strip=False,
        label="Message",
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": MAX_BODY}),
    )
    # A fresh token per rendered form: posting the same form twice posts one message.
    token = forms.UUIDField(
        widget=forms.HiddenInput,
        error_messages={
            "required": "This form is out of date: reload the page and send again.",
            "invalid": "This form is out of date: reload the page and send again.",
        },
    )
    # The call a message is about: anything but a known call's id is ignored (selectors.call_title).
    call = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("token", uuid.uuid4())
        super().__init__(*args, **kwargs)

    def clean_body(self):
        return services.clean_body(self.cleaned_data.get("body", ""))
