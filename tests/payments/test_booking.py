"""A paid Checkout Session is booked once: the Payment paid, one ledger transaction, a Purchase
that unlocks downloads. The sandbox's own signed events drive the handler."""

import pytest
import requests
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from payments import ledger
from payments.booking import FeeNotKnownYet, book_checkout_session, split_payment
from payments.models import LedgerTransaction, Payment, PriceTag, Purchase
from tests.factories import ReleaseFactory, TrackFactory, UserFactory
from tests.payments.buying import (
    buy,
    buy_and_pay,
    completed_events,
    deliver,
    pay,
    text,
    tip,
)

pytestmark = pytest.mark.usefixtures("payments_settings")


@pytest.fixture
def track(artist):
    track = TrackFactory(artist=artist, title="Night Bus")
    PriceTag.objects.create(track=track, price=1000, minimum=500)
    return track


def entries(transaction: LedgerTransaction) -> dict[str, int]:
    return {row.account.kind: row.amount for row in transaction.entries.select_related("account")}


def test_a_paid_sale_is_booked_with_the_real_fee(fan_client, fan, artist, track, receiver):
    event = buy_and_pay(fan_client, receiver, track, "10.00")

    payment = Payment.objects.get()
    assert (payment.status, payment.fee) == ("paid", 59)  # 2.9 % + 30 of €10.00
    assert payment.payment_intent_id.startswith("pi_")
    assert payment.checkout_session_id == event.data.object.id
    booked = LedgerTransaction.objects.get()
    assert (booked.kind, booked.reference) == ("sale", payment.payment_intent_id)
    assert entries(booked) == {
        "customer_payments": -1000,
        "processor_fees": 59,
        "platform_revenue": 150,
        "artist_balance": 791,
    }
    assert ledger.ledger_totals() == {"eur": 0}
    assert ledger.artist_balance(artist, "eur").amount == 791
    purchase = Purchase.objects.get()
    assert (purchase.fan, purchase.track, purchase.payment) == (fan, track, payment)


def test_the_success_page_says_paid_and_links_to_the_download(fan_client, track, receiver):
    response = buy(fan_client, track, "12.50")
    thanks = pay(response["Location"])
    payment = Payment.objects.get()
    assert (
        thanks
        == f"http://backstage.test/payments/{payment.id}/thanks?session={payment.checkout_session_id}"
    )
    path = thanks.removeprefix("http://backstage.test")
    assert "We are confirming your payment of €12.50" in text(fan_client.get(path))
    assert 'hx-trigger="every 2s"' in fan_client.get(path).content.decode()
    deliver(completed_events(receiver)[0])
    response = fan_client.get(path)
    assert 'hx-trigger="every 2s"' not in response.content.decode()  # polling stops
    page = text(response)
    assert "Your purchase of €12.50 to Mira Sol is paid." in page
    assert "Download it from your purchases" in page


def test_a_webhook_replayed_three_times_books_once(fan_client, artist, track, receiver, sandbox):
    event = buy_and_pay(fan_client, receiver, track, "10.00")
    # Stripe sends it twice more (the sandbox's resend helper): three deliveries in all.
    for _ in range(2):
        answer = requests.post(
            f"{sandbox.url}/v1/test_helpers/events/{event.id}/resend",
            headers={"Authorization": "Bearer sk_test_sandbox"},
            timeout=5,
        )
        assert answer.status_code == 200
    events = completed_events(receiver, count=3)
    assert [e.id for e in events] == [event.id] * 3
    for delivered in events[1:]:
        deliver(delivered)
    assert LedgerTransaction.objects.count() == 1
    assert Purchase.objects.count() == 1
    assert ledger.artist_balance(artist, "eur").amount == 791
    assert ledger.ledger_totals() == {"eur": 0}


def test_an_event_for_an_unpaid_session_books_nothing(fan_client, track, stripe_client):
    """Events come in any order and carry snapshots: only Stripe's current answer counts."""
    buy(fan_client, track, "10.00")
    payment = Payment.objects.get()
    assert book_checkout_session(session_id=payment.checkout_session_id) is None
    payment.refresh_from_db()
    assert payment.status == "pending"
    assert not LedgerTransaction.objects.exists()
    assert not Purchase.objects.exists()


def test_sessions_that_are_not_ours_are_ignored(stripe_client, receiver, db):
    session = stripe_client.v1.checkout.sessions.create(
        params={
            "mode": "payment",
            "success_url": "http://elsewhere.test/",
            "line_items": [
                {
                    "price_data": {
                        "currency": "eur",
                        "unit_amount": 500,
                        "product_data": {"name": "Not ours"},
                    },
                    "quantity": 1,
                }
            ],
        }
    )
    pay(session.url)
    deliver(completed_events(receiver)[0])
    assert not LedgerTransaction.objects.exists()


def test_a_session_whose_amount_differs_from_the_payment_is_not_booked(fan_client, track, receiver):
    buy_and_pay(fan_client, receiver, track, "10.00")
    # Our row no longer matches what Stripe charged (a bug, or a tampered row).
    payment = Payment.objects.get()
    Payment.objects.filter(id=payment.id).update(amount=1, status="pending")
    assert book_checkout_session(session_id=payment.checkout_session_id) is None
    assert LedgerTransaction.objects.count() == 1


def test_a_tip_is_booked_as_a_tip_without_a_purchase(fan_client, artist, receiver):
    response = tip(fan_client, artist, "5.00", message="Lovely gig")
    pay(response["Location"])
    deliver(completed_events(receiver)[0])
    booked = LedgerTransaction.objects.get()
    assert booked.kind == "tip"
    # fee (500 × 29 + 500) // 1000 + 30 = 45; cut 75; the artist gets 380
    assert entries(booked) == {
        "customer_payments": -500,
        "processor_fees": 45,
        "platform_revenue": 75,
        "artist_balance": 380,
    }
    assert Payment.objects.get().status == "paid"
    assert not Purchase.objects.exists()
    assert ledger.ledger_totals() == {"eur": 0}


@pytest.mark.parametrize(
    ("amount", "fee", "cut", "share"),
    [(1000, 59, 150, 791), (50, 31, 7, 12), (99_999_999, 2_900_030, 14_999_999, 82_099_970)],
)
def test_the_split_is_integer_maths(amount, fee, cut, share):
    assert split_payment(amount=amount, fee=fee) == (cut, share)
    assert fee + cut + share == amount


# --- Downloads ------------------------------------------------------------------------------------


def download(client, track):
    """Follow the download button: a redirect to a signed link, then the file."""
    first = client.get(reverse("checkout:download", args=[track.public_id]))
    if first.status_code != 302:
        return first, None
    return client.get(first["Location"]), first["Location"]


def test_a_purchase_unlocks_the_original_for_its_buyer_only(client, fan, outsider, track, receiver):
    client.force_login(fan)
    buy_and_pay(client, receiver, track, "10.00")
    response, link = download(client, track)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"fLaC-not-really"
    assert response["Content-Disposition"] == 'attachment; filename="original.flac"'
    assert response["Cache-Control"] == "private, no-store"

    client.force_login(outsider)
    assert download(client, track)[0].status_code == 404
    assert client.get(link).status_code == 404  # the buyer's link, passed on
    client.logout()
    assert client.get(link).status_code == 302  # to the login page


def test_download_links_expire(fan_client, track, receiver, settings):
    buy_and_pay(fan_client, receiver, track, "10.00")
    settings.PURCHASE_DOWNLOAD_TTL = -1
    response, _ = download(fan_client, track)
    assert response.status_code == 404
    assert fan_client.get(reverse("checkout:download_file", args=["forged"])).status_code == 404


def test_a_taken_down_track_cannot_be_downloaded(fan_client, track, receiver):
    buy_and_pay(fan_client, receiver, track, "10.00")
    track.taken_down_at = timezone.now()
    track.save()
    assert download(fan_client, track)[0].status_code == 404
    assert "Taken down" in text(fan_client.get(reverse("checkout:purchases")))


def test_buying_a_release_unlocks_all_its_tracks(fan_client, artist, receiver):
    release = ReleaseFactory(artist=artist, title="Harbour")
    tracks = [TrackFactory(artist=artist, release=release, position=n) for n in (1, 2)]
    elsewhere = TrackFactory(artist=artist)
    PriceTag.objects.create(release=release, price=1500)
    buy_and_pay(fan_client, receiver, release, "15")
    assert Purchase.objects.get().release == release
    assert [download(fan_client, t)[0].status_code for t in tracks] == [200, 200]
    assert download(fan_client, elsewhere)[0].status_code == 404
    # fee 1500 → 74, cut 225, artist 1201
    assert ledger.artist_balance(artist, "eur").amount == 1201


def test_the_purchases_page_lists_what_the_fan_bought(client, fan, artist, receiver):
    client.force_login(fan)
    url = reverse("checkout:purchases")
    counts = []
    for n in range(3):
        track = TrackFactory(artist=artist, title=f"Song {n}")
        PriceTag.objects.create(track=track, price=100 * (n + 1))
        buy_and_pay(client, receiver, track, f"{n + 1}", token=f"purchase-form-token-{n}")
        receiver.received.clear()
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        counts.append(len(queries))
    release = ReleaseFactory(artist=artist, title="Harbour")
    TrackFactory(artist=artist, release=release)
    PriceTag.objects.create(release=release, price=900)
    buy_and_pay(client, receiver, release, "9")
    with CaptureQueriesContext(connection) as queries:
        page = text(client.get(url))
    # Session, user, the header's artist lookup and unread notifications, purchases (joined with
    # payments, tracks, releases, artists), the tracks' renditions (for the MP3 download) — and
    # once a release is bought, its tracks and theirs: never one per purchase.
    assert [*counts, len(queries)] == [6, 6, 6, 8]
    assert "Song 2 by Mira Sol · €3.00" in page
    assert "Harbour by Mira Sol · €9.00" in page
    assert page.index("Harbour") < page.index("Song 2") < page.index("Song 0")

    client.force_login(UserFactory())
    assert "Music you buy appears here" in text(client.get(url))


def test_the_library_links_to_purchases(fan_client):
    page = fan_client.get(reverse("playlists:library")).content.decode()
    assert reverse("checkout:purchases") in page


def test_the_hosted_page_shows_the_item(fan_client, track):
    response = buy(fan_client, track, "10")
    page = requests.get(response["Location"], timeout=5).text
    assert "Night Bus by Mira Sol" in page
    assert "10.00 EUR" in page


def test_the_handler_is_registered_for_the_event_type():
    from payments.webhooks import HANDLERS

    assert HANDLERS["checkout.session.completed"].__name__ == "on_checkout_session_completed"


def test_the_same_form_after_paying_leads_to_the_thanks_page(fan_client, track, receiver):
    buy_and_pay(fan_client, receiver, track, "10.00")
    again = buy(fan_client, track, "10.00")
    payment = Payment.objects.get()
    assert again.status_code == 302
    assert again["Location"] == reverse("checkout:thanks", args=[payment.id])
    assert LedgerTransaction.objects.count() == 1


def test_a_charge_without_its_fee_yet_is_retried_not_booked(
    fan_client, track, sandbox, monkeypatch
):
    buy(fan_client, track, "10.00")
    payment = Payment.objects.get()
    pay(payment.checkout_url)
    session = sandbox.store.objects[payment.checkout_session_id]
    charge = sandbox.store.find("charge", payment_intent=session["payment_intent"])[0]
    monkeypatch.setitem(charge, "balance_transaction", None)
    with pytest.raises(FeeNotKnownYet):
        book_checkout_session(session_id=payment.checkout_session_id)
    assert Payment.objects.get().status == "pending"
    assert not LedgerTransaction.objects.exists()
