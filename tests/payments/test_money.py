"""Money: whole minor units with a currency, shown as people read it, parsed as people type it."""

import pytest
from django.core.exceptions import ValidationError
from django.template import Context, Template

from payments.money import CurrencyMismatch, Money, format_amount, parse_money


@pytest.mark.parametrize(
    ("money", "shown"),
    [
        (Money(1234, "eur"), "€12.34"),
        (Money(5, "eur"), "€0.05"),
        (Money(-5, "eur"), "-€0.05"),
        (Money(0, "usd"), "$0.00"),
        (Money(123456789, "usd"), "$1,234,567.89"),
        (Money(1000, "gbp"), "£10.00"),
        (Money(500, "jpy"), "¥500"),
        (Money(1500000, "jpy"), "¥1,500,000"),
    ],
)
def test_it_formats_like_a_price_tag(money, shown):
    assert money.format() == shown
    assert str(money) == shown


def test_arithmetic_stays_in_one_currency():
    price = Money(1000, "eur")

    assert price + Money(250, "eur") == Money(1250, "eur")
    assert price - Money(1250, "eur") == Money(-250, "eur")
    assert -price == Money(-1000, "eur")
    assert price * 3 == 3 * price == Money(3000, "eur")
    assert Money(1, "eur") < price
    assert max(Money(7, "eur"), price, Money(-3, "eur")) == price
    assert not Money.zero("eur")
    assert Money(1000, "eur") != Money(1000, "usd")


def test_it_refuses_to_mix_currencies():
    with pytest.raises(CurrencyMismatch, match="Cannot combine eur with usd"):
        Money(1000, "eur") + Money(1000, "usd")
    with pytest.raises(CurrencyMismatch):
        Money(1000, "eur") < Money(1000, "gbp")  # noqa: B015


@pytest.mark.parametrize("bad", [12.5, 0.1, True, "12", None])
def test_it_refuses_floats_and_other_non_integers(bad):
    with pytest.raises(TypeError):
        Money(bad, "eur")
    with pytest.raises(TypeError):
        Money(100, "eur") * bad
    with pytest.raises(TypeError):
        Money(100, "eur") + bad


@pytest.mark.parametrize("code", ["EUR", "xyz", "", "euro"])
def test_it_refuses_unknown_currency_codes(code):
    with pytest.raises(ValueError, match="Unsupported currency"):
        Money(100, code)


def test_allocating_money_keeps_every_cent():
    parts = Money(1000, "eur").allocate([1, 1, 1])

    assert parts == [Money(334, "eur"), Money(333, "eur"), Money(333, "eur")]


@pytest.mark.parametrize(
    ("typed", "currency", "cents"),
    [
        ("12.5", "eur", 1250),
        ("12,50", "eur", 1250),
        ("12", "eur", 1200),
        ("12.", "eur", 1200),
        ("  0.07 ", "usd", 7),
        ("€3.10", "eur", 310),
        ("£ 3", "gbp", 300),
        ("500", "jpy", 500),
        ("500.00", "jpy", 500),  # trailing zeros are no precision
        ("999999.99", "eur", 99999999),
        ("0", "eur", 0),
    ],
)
def test_it_parses_what_people_type(typed, currency, cents):
    assert parse_money(typed, currency) == Money(cents, currency)


@pytest.mark.parametrize(
    ("typed", "currency", "message"),
    [
        ("", "eur", "Enter an amount."),
        ("   ", "eur", "Enter an amount."),
        ("€", "eur", "Enter an amount."),
        ("-5", "eur", "Enter an amount of zero or more."),
        ("12.345", "eur", "Amounts in EUR have at most 2 decimals."),
        ("500.5", "jpy", "Amounts in JPY have no decimals."),
        ("1,234.50", "eur", "Enter an amount like 12.50, without thousands separators."),
        ("12 euros", "eur", "Enter an amount like 12.50, without thousands separators."),
        ("1e3", "usd", "Enter an amount like 12.50, without thousands separators."),
        ("nan", "eur", "Enter an amount like 12.50, without thousands separators."),
        ("١٢", "eur", "Enter an amount like 12.50, without thousands separators."),
        ("1_000", "eur", "Enter an amount like 12.50, without thousands separators."),
        ("$5", "eur", "Enter an amount like 12.50, without thousands separators."),
        ("<b>5</b>", "eur", "Enter an amount like 12.50, without thousands separators."),
        ("9" * 5000, "eur", "Enter an amount like 12.50, without thousands separators."),
        ("abc", "jpy", "Enter an amount like 500, without thousands separators."),
        ("1000000", "eur", "Enter an amount below €1,000,000.00."),
        ("1000000", "jpy", "Enter an amount below ¥1,000,000."),
    ],
)
def test_it_explains_amounts_it_cannot_read(typed, currency, message):
    with pytest.raises(ValidationError) as caught:
        parse_money(typed, currency)

    assert caught.value.messages == [message]


def test_the_template_filter_shows_money_and_minor_units():
    template = Template(
        "{% load money %}{{ price|money }} | {{ cents|money:'jpy' }} | {{ missing|money:'eur' }}"
    )

    shown = template.render(Context({"price": Money(1999, "eur"), "cents": 500, "missing": None}))

    assert shown == "€19.99 | ¥500 | "


def test_reports_show_even_unsupported_currencies():
    assert format_amount(1234, "eur") == "€12.34"
    assert format_amount(1234, "xxx") == "1234 xxx (minor units)"
