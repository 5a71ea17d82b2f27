"""Splits: a work's artist part shared among its parties (set through credits/ once everyone
accepted); booking divides it in the same ledger transaction, deterministically, the parts
summing exactly to the share. The proposal pages are tested in tests/credits/test_splits.py."""

import pytest

from credits.models import Credit
from credits.services import answer_proposal, propose_split
from payments import ledger
from payments.booking import _post
from payments.models import LedgerEntry, LedgerTransaction, Payment, PriceTag
from payments.splits import Party, parse_splits, set_splits, share_out
from tests.factories import ArtistFactory, ReleaseFactory, TrackFactory
from tests.payments.buying import TOKEN, buy, buy_and_pay, completed_events, deliver, pay, tip
from tests.payments.scenarios import assert_books_balance

pytestmark = pytest.mark.usefixtures("payments_settings")


@pytest.fixture
def band(artist):
    return artist, ArtistFactory(name="Ada", slug="ada"), ArtistFactory(name="Bo", slug="bo")


@pytest.fixture
def release(artist):
    release = ReleaseFactory(artist=artist, title="Shed Tapes")
    PriceTag.objects.create(release=release, price=100)
    return release


@pytest.fixture
def track(artist, release):
    track = TrackFactory(artist=artist, release=release, title="Night Bus")
    PriceTag.objects.create(track=track, price=100)
    return track


def thirds(band):
    return [Party(band[0], 3333), Party(band[1], 3333), Party(band[2], 3334)]


def artist_parts(transaction) -> dict[str, int]:
    rows = transaction.entries.filter(account__artist__isnull=False).select_related(
        "account__artist"
    )
    return {row.account.artist.slug: row.amount for row in rows}


def test_a_release_sale_is_split_in_thirds_in_the_same_transaction(
    fan_client, release, band, receiver
):
    set_splits(work=release, parties=thirds(band))

    buy_and_pay(fan_client, receiver, release, "1.00")

    booked = LedgerTransaction.objects.get()
    # €1.00: fee 3 + 30 = 33, cut 15, share 52 → 17.33 / 17.33 / 17.37 → 17, 17, 18.
    assert artist_parts(booked) == {"mira-sol": 17, "ada": 17, "bo": 18}
    assert booked.entries.count() == 6  # one entry per artist account
    assert_books_balance(*band)


def test_a_replay_after_the_splits_changed_books_nothing_new(fan_client, release, band, receiver):
    set_splits(work=release, parties=thirds(band))
    event = buy_and_pay(fan_client, receiver, release, "1.00")
    set_splits(work=release, parties=[Party(band[1], 10_000)])

    deliver(event)  # Stripe sends the event again

    assert artist_parts(LedgerTransaction.objects.get()) == {"mira-sol": 17, "ada": 17, "bo": 18}
    assert_books_balance(*band)


def test_a_track_sale_uses_the_releases_splits_when_the_track_has_none(
    fan_client, track, band, release, receiver
):
    set_splits(work=release, parties=thirds(band))

    buy_and_pay(fan_client, receiver, track, "10.00")

    # €10.00: fee 59, cut 150, share 791 → 263.6403 / 263.6403 / 263.7194. Floors make 789;
    # the two cents left go to bo (.7194) and mira-sol (.6403, before ada's equal remainder).
    assert artist_parts(LedgerTransaction.objects.get()) == {
        "mira-sol": 264,
        "ada": 263,
        "bo": 264,
    }
    assert_books_balance(*band)


def test_a_tracks_own_splits_win_over_its_releases(fan_client, track, band, release, receiver):
    set_splits(work=release, parties=thirds(band))
    set_splits(work=track, parties=[Party(band[1], 10_000)])

    buy_and_pay(fan_client, receiver, track, "10.00")

    assert artist_parts(LedgerTransaction.objects.get()) == {"ada": 791}
    assert ledger.artist_balance(band[0], "eur").amount == 0
    assert_books_balance(*band)


def test_a_tip_is_not_split(fan_client, artist, band, release, receiver):
    set_splits(work=release, parties=thirds(band))
    response = tip(fan_client, artist, "5.00")
    assert response.status_code == 303

    pay(response["Location"])
    deliver(completed_events(receiver)[-1])

    assert artist_parts(LedgerTransaction.objects.get()) == {
        "mira-sol": 380
    }  # 500 - 45 fee - 75 cut
    assert_books_balance(*band)


def test_a_one_cent_sale_gives_its_cent_to_the_largest_remainder(fan, release, band):
    set_splits(work=release, parties=thirds(band))
    payment = Payment.objects.create(
        kind="sale", fan=fan, artist=band[0], release=release, amount=1, currency="eur",
        form_token="t",
    )  # fmt: skip

    booked = _post(payment=payment, intent_id="pi_one_cent", fee=0)

    assert artist_parts(booked) == {"bo": 1}  # zero parts carry no entry
    assert_books_balance(*band)


def test_many_sales_split_exactly_and_the_ledger_balances(fan, release, band):
    set_splits(work=release, parties=thirds(band))
    for amount in range(50, 150):
        payment = Payment.objects.create(
            kind="sale", fan=fan, artist=band[0], release=release, amount=amount,
            currency="eur", form_token=f"t{amount}",
        )  # fmt: skip
        _post(payment=payment, intent_id=f"pi_{amount}", fee=amount // 10)
    total = sum(a - a // 10 - a * 1500 // 10_000 for a in range(50, 150))
    assert sum(ledger.artist_balance(a, "eur").amount for a in band) == total
    assert LedgerEntry.objects.filter(account__artist=band[2]).count() == 100
    assert_books_balance(*band)


def test_share_out_is_deterministic(fan, release, band):
    set_splits(work=release, parties=thirds(band))
    payment = Payment(kind="sale", fan=fan, artist=band[0], release=release, amount=2)
    first = share_out(payment=payment, share=2)
    assert [part for _, part in first] == [1, 0, 1]
    assert share_out(payment=payment, share=2) == first


def test_parse_splits_reads_percentages_as_basis_points(artist, band):
    parties = parse_splits("mira-sol 0.01\nada 99.99", owner=artist)
    assert [(p.artist.slug, p.basis_points) for p in parties] == [("mira-sol", 1), ("ada", 9999)]


def test_a_sale_before_the_collaborator_accepts_goes_to_the_uploader_and_after_it_is_60_40(
    client, fan, artist, track, receiver
):
    """issue 7: until every party accepts, earnings stay with the uploader."""
    ada = ArtistFactory(name="Ada", slug="ada")
    Credit.objects.create(track=track, artist=ada, role="featuring", status="confirmed")
    proposal = propose_split(work=track, by=artist, text="mira-sol 60\nada 40")
    client.force_login(fan)

    buy_and_pay(client, receiver, track, "10.00")  # before Ada accepts

    first = LedgerTransaction.objects.get()
    assert artist_parts(first) == {"mira-sol": 791}  # €10.00 − fee 59 − cut 150

    answer_proposal(proposal=proposal, artist=ada, accept=True)
    response = buy(client, track, "10.00", token=TOKEN[::-1])
    pay(response["Location"])
    deliver(completed_events(receiver, 2)[-1])

    second = LedgerTransaction.objects.exclude(pk=first.pk).get()
    # 791 × 60 % = 474.6, × 40 % = 316.4: floors 790, the spare cent to the larger remainder.
    assert artist_parts(second) == {"mira-sol": 475, "ada": 316}
    assert artist_parts(first) == {"mira-sol": 791}  # booked before: unchanged
    assert_books_balance(artist, ada)
