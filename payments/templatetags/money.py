"""{{ price|money }} for Money, {{ cents|money:"eur" }} for minor units stored beside a currency."""

from django import template

from payments.money import Money, format_amount

register = template.Library()


@register.filter
def money(value: Money | int | None, currency: str = "") -> str:
    if isinstance(value, Money):
        return value.format()
    if value is None or value == "":
        return ""
    return format_amount(int(value), currency)
