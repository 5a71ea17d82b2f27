"""Splits: the uploader shares a work's artist part; booking divides it in the same ledger
transaction, deterministically, the parts summing exactly to the share."""

import pytest
from django.urls import reverse

from payments import ledger
from payments.booking import _post
from payments.models import LedgerEntry, LedgerTransaction, Payment, PriceTag, Split
from payments.splits import Party, parse_splits, set_splits, share_out
from tests.factories import ArtistFactory, ReleaseFactory, TrackFactory
from tests.payments.buying import buy_and_pay, completed_events, deliver, pay, tip
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


# The studio form.


def post(client, kind, work, text):
    return client.post(reverse("payments:splits", args=[kind, work.public_id]), {"splits": text})


def test_the_uploader_sets_splits(artist_client, release, band):
    response = post(artist_client, "release", release, "mira-sol 33.33\nada 33.33\n@bo 33.34%")

    assert response.status_code == 302
    assert list(Split.objects.values_list("artist__slug", "basis_points")) == [
        ("mira-sol", 3333),
        ("ada", 3333),
        ("bo", 3334),
    ]
    page = artist_client.get(reverse("payments:splits", args=["release", release.public_id]))
    assert "bo 33.34" in page.content.decode()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("mira-sol 50\nada 49.99", "The shares add up to 99.99 %; they must add up to exactly"),
        ("mira-sol 50\nada 50\nbo 0.01", "The shares add up to 100.01 %"),
        ("mira-sol 50\nada 25\nada 25", "Line 3: Ada is listed twice"),
        ("mira-sol 50\nmira-sol 50", "Line 2: You are listed twice"),
        ("mira-sol 50\nnobody 50", "Line 2: there is no artist “nobody”."),
        ("mira-sol fifty", "Line 1: write an artist&#x27;s address and a percentage"),
        ("mira-sol 33.333\nada 66.667", "Line 1: write an artist"),
        ("mira-sol 0\nada 100", "Line 1: a share is more than 0 % and at most 100 %."),
        ("mira-sol 150", "Line 1: a share is more than 0 %"),
        ("<script>x</script> 100", "there is no artist “&lt;script&gt;x&lt;/script&gt;”."),
        ("\n".join(f"a{n} 1" for n in range(21)), "At most 20 people can share a work."),
    ],
)
def test_bad_splits_are_refused_with_a_clear_message(artist_client, release, band, text, message):
    set_splits(work=release, parties=[Party(band[0], 10_000)])

    response = post(artist_client, "release", release, text)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert "<script>x" not in response.content.decode()
    assert list(Split.objects.values_list("artist__slug", "basis_points")) == [("mira-sol", 10_000)]


def test_an_empty_form_clears_the_splits(artist_client, release, band):
    set_splits(work=release, parties=thirds(band))
    assert post(artist_client, "release", release, "  \n").status_code == 302
    assert not Split.objects.exists()


def test_only_the_uploader_sees_the_splits_page(client, release, track, band, outsider):
    client.force_login(band[1].user)  # a collaborator, not the uploader
    for kind, work in (("release", release), ("track", track)):
        assert post(client, kind, work, "ada 100").status_code == 404
        url = reverse("payments:splits", args=[kind, work.public_id])
        assert client.get(url).status_code == 404
    client.force_login(outsider)
    assert (
        client.get(reverse("payments:splits", args=["playlist", track.public_id])).status_code
        == 404
    )
    assert not Split.objects.exists()


def test_parse_splits_reads_percentages_as_basis_points(artist, band):
    parties = parse_splits("mira-sol 0.01\nada 99.99", owner=artist)
    assert [(p.artist.slug, p.basis_points) for p in parties] == [("mira-sol", 1), ("ada", 9999)]


def test_the_owner_finds_splits_next_to_the_price(artist_client, track, release):
    for kind, work in (("track", track), ("release", release)):
        page = artist_client.get(work.get_absolute_url()).content.decode()
        assert reverse("payments:splits", args=[kind, work.public_id]) in page
    studio = artist_client.get(reverse("artists:studio")).content.decode()
    assert reverse("payments:splits", args=["release", release.public_id]) in studio
    assert reverse("payments:earnings") in studio
