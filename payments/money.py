"""Money as integer minor units with a lower-case ISO currency code (as Stripe writes them).

Never floats: arithmetic refuses them, and user-typed amounts are parsed from text digit by digit.
"""

import re
from dataclasses import dataclass
from functools import total_ordering

from django.core.exceptions import ValidationError


@dataclass(frozen=True, slots=True)
class Currency:
    code: str
    symbol: str
    exponent: int  # minor units per major unit = 10 ** exponent (Stripe's "zero-decimal" yen: 0)


CURRENCIES: dict[str, Currency] = {
    c.code: c
    for c in (
        Currency("eur", "€", 2),
        Currency("usd", "$", 2),
        Currency("gbp", "£", 2),
        Currency("jpy", "¥", 0),
    )
}

# The largest amount a person may type: a million in major units (¥1,000,000, €1,000,000.00).
MAX_MAJOR_UNITS = 1_000_000


def get_currency(code: str) -> Currency:
    """The supported currency `code` names; ValueError for anything else (e.g. "EUR", "xyz")."""
    try:
        return CURRENCIES[code]
    except (KeyError, TypeError):
        supported = ", ".join(CURRENCIES)
        raise ValueError(f"Unsupported currency {code!r}: use one of {supported}.") from None


class CurrencyMismatch(ValueError):
    pass


@total_ordering
@dataclass(frozen=True, slots=True)
class Money:
    amount: int  # minor units, signed
    currency: str

    def __post_init__(self):
        if type(self.amount) is not int:  # bool is an int subclass, floats and Decimals are not
            raise TypeError(f"Money amounts are whole minor units, not {self.amount!r}.")
        get_currency(self.currency)

    @classmethod
    def zero(cls, currency: str) -> "Money":
        return cls(0, currency)

    def _same_currency(self, other: object) -> "Money":
        if not isinstance(other, Money):
            raise TypeError(f"Cannot combine money with {other!r}.")
        if other.currency != self.currency:
            raise CurrencyMismatch(f"Cannot combine {self.currency} with {other.currency}.")
        return other

    def __add__(self, other: "Money") -> "Money":
        return Money(self.amount + self._same_currency(other).amount, self.currency)

    def __sub__(self, other: "Money") -> "Money":
        return Money(self.amount - self._same_currency(other).amount, self.currency)

    def __neg__(self) -> "Money":
        return Money(-self.amount, self.currency)

    def __mul__(self, factor: int) -> "Money":
        if type(factor) is not int:
            raise TypeError("Money multiplies by whole numbers only; split with allocate().")
        return Money(self.amount * factor, self.currency)

    __rmul__ = __mul__

    def __lt__(self, other: "Money") -> bool:
        return self.amount < self._same_currency(other).amount

    def __bool__(self) -> bool:
        return self.amount != 0

    def allocate(self, weights: list[int]) -> list["Money"]:
        """Split into parts proportional to `weights` that sum exactly to this amount."""
        from .splitting import allocate

        return [Money(part, self.currency) for part in allocate(self.amount, weights)]

    def format(self) -> str:
        """ "€12.34", "-€0.05", "¥500", "$1,234.00"."""
        currency = CURRENCIES[self.currency]
        major, minor = divmod(abs(self.amount), 10**currency.exponent)
        text = f"{currency.symbol}{major:,}"
        if currency.exponent:
            text += f".{minor:0{currency.exponent}d}"
        return f"-{text}" if self.amount < 0 else text

    __str__ = format


# Digits, then at most one decimal separator ("." or ",") with digits after it. ASCII digits only:
# int() would otherwise accept "١٢" (Arabic-Indic digits) or "1_000".
_AMOUNT = re.compile(r"(?P<major>[0-9]+)(?:[.,](?P<minor>[0-9]*))?", re.ASCII)


def parse_money(text: str, currency: str) -> Money:
    """A positive or zero amount typed by a person ("12.5", "12,50", "€12", "500") as Money.

    Raises ValidationError with a message the person can act on.
    """
    spec = get_currency(currency)
    example = "500" if spec.exponent == 0 else "12.50"
    cleaned = (text or "").strip().removeprefix(spec.symbol).strip()
    if not cleaned:
        raise ValidationError("Enter an amount.", code="required")
    if cleaned.startswith("-"):
        raise ValidationError("Enter an amount of zero or more.", code="negative")
    match = _AMOUNT.fullmatch(cleaned) if len(cleaned) <= 32 else None
    if match is None:
        raise ValidationError(
            f"Enter an amount like {example}, without thousands separators.", code="invalid"
        )
    minor = (match["minor"] or "").rstrip("0")
    if len(minor) > spec.exponent:
        raise ValidationError(
            f"Amounts in {spec.code.upper()} have no decimals."
            if spec.exponent == 0
            else f"Amounts in {spec.code.upper()} have at most {spec.exponent} decimals.",
            code="precision",
        )
    amount = int(match["major"]) * 10**spec.exponent + int(minor.ljust(spec.exponent, "0") or 0)
    limit = Money(MAX_MAJOR_UNITS * 10**spec.exponent, currency)
    if amount >= limit.amount:
        raise ValidationError(f"Enter an amount below {limit}.", code="too_large")
    return Money(amount, currency)


def format_amount(amount: int, currency: str) -> str:
    """Like Money.format, but never fails: reports show even a currency we do not support."""
    if currency in CURRENCIES:
        return Money(amount, currency).format()
    return f"{amount} {currency} (minor units)"
