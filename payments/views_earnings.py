"""Studio pages for money an artist earns: earnings and statements (splits: credits/)."""

import csv

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render

from analytics.exports import safe

from . import earnings
from .selectors import access_earnings


@login_required
def earnings_page(request):
    """Studio → Earnings: balance, paid out, the latest lines and the monthly statements."""
    artist = access_earnings(user=request.user)
    totals = earnings.totals(artist=artist)
    return render(
        request,
        "payments/earnings.html",
        {
            "artist": artist,
            "totals": totals,
            "lines": earnings.lines(artist=artist, limit=earnings.PAGE_LINES),
            "months": earnings.months(totals),
            "page_lines": earnings.PAGE_LINES,
            "payout_minimum": settings.PAYOUT_MINIMUM,
            "payout_currency": settings.PAYMENTS_CURRENCY,
        },
    )


def _statement(request, year: int, month: int):
    artist = access_earnings(user=request.user)
    if not (1 <= month <= 12 and 2000 <= year <= 9999):
        raise Http404("No such month.")
    return artist, earnings.statement(artist=artist, year=year, month=month)


@login_required
def statement_page(request, year: int, month: int):
    artist, statement = _statement(request, year, month)
    return render(request, "payments/statement.html", {"artist": artist, "statement": statement})


@login_required
def statement_csv(request, year: int, month: int):
    """The month's lines as CSV, amounts in minor units; text cells safe from formulas."""
    artist, statement = _statement(request, year, month)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="statement-{artist.slug}-{year:04d}-{month:02d}.csv"'
    )
    writer = csv.writer(response)
    writer.writerow(
        ["date", "kind", "description", "reference", "currency", "gross", "fee",
         "platform cut", "your part", "message"]
    )  # fmt: skip
    for line in reversed(statement.lines):  # oldest first, as a statement reads
        writer.writerow(
            [line.when.isoformat(), line.label, safe(line.memo), safe(line.reference),
             line.currency, _cell(line.gross), _cell(line.fee), _cell(line.cut), line.amount,
             safe(line.message)]
        )  # fmt: skip
    return response


def _cell(value: int | None) -> str | int:
    return "" if value is None else value
