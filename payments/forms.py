"""Forms for prices, purchases and tips: amounts are read by payments.money.parse_money."""

import re
import secrets

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError

from backstage.forms import VisibleErrorsMixin

from .checkout import MIN_CHARGE, TIP_MESSAGE_MAX, check_price, read_amount
from .money import Money, get_currency, parse_money

TOKEN_PATTERN = r"[A-Za-z0-9_-]{16,64}"
EXPIRED = "This form has expired. Reload the page and try again."


def new_form_token() -> str:
    """A pay form's one-time token (see PayForm)."""
    return secrets.token_urlsafe(24)


def plain_amount(amount: int, currency: str) -> str:
    """Minor units as a form field shows them, the way parse_money reads them back: "1234.50"."""
    exponent = get_currency(currency).exponent
    if not exponent:
        return str(amount)
    major, minor = divmod(amount, 10**exponent)
    return f"{major}.{minor:0{exponent}d}"


class AmountField(forms.CharField):
    """An amount typed by a person ("12.50", "12,5", "€12"), cleaned to a Money."""

    def __init__(self, *, lowest: int | None = None, **kwargs):
        self.lowest = lowest
        kwargs.setdefault("max_length", 32)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal"}))
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if value in self.empty_values:
            return None
        return read_amount(value, currency=settings.PAYMENTS_CURRENCY, lowest=self.lowest)


class PayForm(VisibleErrorsMixin, forms.Form):
    """Buy (name-your-price from `lowest`) or tip. `token` makes a double submission one payment."""

    amount = AmountField(label="Amount (EUR)", error_messages={"required": "Enter an amount."})
    token = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args, lowest: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["amount"].lowest = lowest
        floor = Money(max(lowest or 0, MIN_CHARGE), settings.PAYMENTS_CURRENCY)
        self.fields["amount"].help_text = f"{floor} or more."

    def clean(self):
        data = super().clean()
        if not re.fullmatch(TOKEN_PATTERN, data.get("token") or ""):
            # The form's error, not the field's: a hidden field shows none of its own.
            raise ValidationError(EXPIRED)
        return data


class TipForm(PayForm):
    message = forms.CharField(
        required=False,
        max_length=TIP_MESSAGE_MAX,
        label="Message to the artist (optional)",
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def _typed_amount(label: str, help_text: str) -> forms.CharField:
    """An optional amount as typed; PriceForm reads it with parse_money."""
    return forms.CharField(
        required=False,
        max_length=32,
        label=label,
        help_text=help_text,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )


class PriceForm(VisibleErrorsMixin, forms.Form):
    price = _typed_amount("Price (EUR)", "Leave empty: not for sale.")
    minimum = _typed_amount(
        "Name your price from (EUR)",
        "Fans may pay any amount from this up. Empty: the price is the minimum.",
    )

    def _amount(self, name: str) -> int | None:
        text = self.cleaned_data.get(name, "").strip()
        if not text:
            return None
        try:
            return parse_money(text, settings.PAYMENTS_CURRENCY).amount
        except ValidationError as exc:
            self.add_error(name, exc)
            return None

    def clean(self):
        data = super().clean()
        price, minimum = self._amount("price"), self._amount("minimum")
        if self.errors:
            return data
        try:
            check_price(price=price, minimum=minimum)
        except ValidationError as exc:
            self.add_error(None, exc)
        data["price"], data["minimum"] = price, minimum
        return data
