"""Save and follow buttons: one small form each, answered for htmx or a plain browser."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme


class ToggleForm(forms.Form):
    on = forms.BooleanField(required=False)  # "true" switches on; anything else off


def posted_on(request) -> bool:
    form = ToggleForm(request.POST)
    return form.is_valid() and form.cleaned_data["on"]


def next_url(request, fallback: str) -> str:
    """Where to go back to after a form: the posted `next` if it is on this site."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def toggled(request, *, template: str, context: dict, back: str, message: str):
    """After a toggle: htmx gets the new button (and keeps `back` for the next press), a plain
    browser goes back to the page it came from with a message."""
    if request.htmx:
        return render(request, template, {**context, "next": back})
    messages.success(request, message)
    return redirect(back)
