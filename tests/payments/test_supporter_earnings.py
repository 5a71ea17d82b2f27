"""A supporter share reads as one on the earnings page: its label, a memo in good English, and
the fee and cut the supporters' payments paid before the pool was shared."""

import pytest
from django.urls import reverse

from payments.distribution import distribute_month
from payments.earnings import lines
from payments.models import LedgerTransaction
from tests.factories import TrackFactory, UserFactory
from tests.payments.buying import text
from tests.payments.test_supporters import NOV, fund, plays

pytestmark = pytest.mark.django_db


def test_a_supporter_share_line_reads_as_one_with_its_fee_and_cut(artist_client, artist):
    track = TrackFactory(artist=artist)
    fan = UserFactory()
    fund(fan, 405)
    # As book_invoice leaves a €5.00 month: 45 fee, 50 cut, 405 in the pool.
    type(fan.supporter_months.get()).objects.update(amount=500)
    plays(f"u:{fan.id}", track, 3)
    distribute_month(month=NOV)

    booked = LedgerTransaction.objects.get(kind="distribution")
    assert booked.memo == "Supporter pool of November 2026 to 1 artist"
    [line] = lines(artist=artist)
    assert (line.label, line.amount, line.gross, line.fee, line.cut) == (
        "Supporter share", 405, 500, 45, 50,
    )  # fmt: skip
    page = text(artist_client.get(reverse("payments:earnings")))
    assert (
        "Supporter share Supporter pool of November 2026 to 1 artist €5.00 €0.45 €0.50 €4.05"
        in page
    )


def test_shares_of_one_month_carry_the_costs_in_proportion(artist):
    other = TrackFactory().artist
    mine = TrackFactory(artist=artist)
    theirs = TrackFactory(artist=other)
    for _ in range(2):
        fan = UserFactory()
        fund(fan, 405)
        plays(f"u:{fan.id}", mine, 3)
        plays(f"u:{fan.id}", theirs, 1)
    type(fan.supporter_months.get()).objects.update(amount=500)  # 2 × €5.00, pool 2 × 405
    distribute_month(month=NOV)
    assert LedgerTransaction.objects.get(kind="distribution").memo.endswith("to 2 artists")
    [line] = lines(artist=artist)
    # 3/4 of each pool: 304 + 304 (largest remainders); fees 90 and cuts 100 in that proportion
    assert (line.amount, line.fee, line.cut) == (608, 68, 75)
    assert line.gross == line.amount + line.fee + line.cut
