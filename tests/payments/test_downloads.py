"""What a buyer downloads: the original (lossless when it is) or the MP3, from the purchases page
and the track or release page; and nothing once the purchase is refunded or disputed."""

import pytest
from django.urls import reverse
from django.utils import timezone

from payments import ledger
from payments.downloads import owns_track
from payments.models import Payment, PriceTag, Purchase
from payments.stripe_api import stripe_client
from tests.factories import ReleaseFactory, TrackFactory
from tests.payments.buying import buy_and_pay, text
from tests.payments.paying_out import deliver, events, sell
from tests.payments.test_payouts import charge_of

pytestmark = pytest.mark.usefixtures("payments_settings")


@pytest.fixture
def track(artist):
    track = TrackFactory(artist=artist, title="Night Bus", codec="flac")
    PriceTag.objects.create(track=track, price=1000)
    return track


def download(client, track, fmt=None):
    """Follow a download button: a redirect to a signed link, then the file."""
    query = {"format": fmt} if fmt else {}
    first = client.get(reverse("checkout:download", args=[track.public_id]), query)
    if first.status_code != 302:
        return first, None
    return client.get(first["Location"]), first["Location"]


def test_a_buyer_chooses_the_lossless_original_or_the_mp3(fan_client, track, receiver):
    buy_and_pay(fan_client, receiver, track, "10.00")

    page = text(fan_client.get(reverse("checkout:purchases")))
    assert "Download FLAC (lossless) of Night Bus" in page
    assert "Download MP3 128 kb/s of Night Bus" in page

    original, _ = download(fan_client, track, "original")
    assert b"".join(original.streaming_content) == b"fLaC-not-really"
    assert original["Content-Disposition"] == 'attachment; filename="original.flac"'

    mp3, link = download(fan_client, track, "mp3")
    assert mp3.status_code == 200
    assert b"".join(mp3.streaming_content) == bytes(range(256)) * 40
    assert mp3["Content-Disposition"] == 'attachment; filename="original.mp3"'
    assert mp3["Content-Type"] == "audio/mpeg"
    assert mp3["Cache-Control"] == "private, no-store"
    assert "mp3" not in link  # the format travels inside the signed token


def test_a_lossy_original_is_not_called_lossless(fan_client, artist, receiver):
    track = TrackFactory(artist=artist, title="Demo", codec="mp3", original_filename="demo.mp3")
    PriceTag.objects.create(track=track, price=100)
    buy_and_pay(fan_client, receiver, track, "1.00")
    page = text(fan_client.get(reverse("checkout:purchases")))
    assert "Download MP3 (original) of Demo" in page
    assert "lossless" not in page


@pytest.mark.parametrize("fmt", ["flac", "opus", "../etc/passwd", "<b>", "x" * 5000])
def test_an_unknown_format_is_not_found(fan_client, track, receiver, fmt):
    buy_and_pay(fan_client, receiver, track, "10.00")
    assert download(fan_client, track, fmt)[0].status_code == 404


def test_without_an_mp3_only_the_original_is_offered(fan_client, artist, receiver):
    track = TrackFactory(artist=artist, title="Raw", renditions=False)
    PriceTag.objects.create(track=track, price=100)
    buy_and_pay(fan_client, receiver, track, "1.00")
    assert "MP3" not in text(fan_client.get(reverse("checkout:purchases")))
    assert download(fan_client, track, "mp3")[0].status_code == 404
    assert download(fan_client, track, "original")[0].status_code == 200


def test_the_track_page_offers_its_buyer_both_formats_and_others_the_buy_form(
    client, fan, outsider, track, receiver
):
    client.force_login(fan)
    buy_and_pay(client, receiver, track, "10.00")
    page = text(client.get(track.get_absolute_url()))
    assert "You bought this." in page
    assert "Download FLAC (lossless) of Night Bus" in page and "Download MP3" in page

    client.force_login(outsider)
    page = text(client.get(track.get_absolute_url()))
    assert "You bought this." not in page and "Download" not in page
    assert "Buy Night Bus" in page


def test_the_release_page_offers_each_of_its_tracks_to_its_buyer(fan_client, artist, receiver):
    release = ReleaseFactory(artist=artist, title="Harbour")
    for n, title in enumerate(["Pier", "Tide"], start=1):
        TrackFactory(artist=artist, release=release, position=n, title=title)
    PriceTag.objects.create(release=release, price=1500)
    buy_and_pay(fan_client, receiver, release, "15")
    page = text(fan_client.get(release.get_absolute_url()))
    assert "Download MP3 128 kb/s of Pier" in page and "Download MP3 128 kb/s of Tide" in page


def test_a_refunded_purchase_no_longer_unlocks_downloads(fan_client, fan, artist, receiver):
    paid = sell(fan_client, receiver, artist, "20.00", token="sale-one-token-000000000")
    track = Purchase.objects.get().track
    _, link = download(fan_client, track)
    stripe_client().v1.refunds.create(params={"charge": charge_of(paid)})
    for event in events(receiver, "charge.refunded"):
        deliver(event)
    assert ledger.artist_balance(artist, "eur").amount == 0

    assert not owns_track(fan=fan, track=track)
    assert download(fan_client, track)[0].status_code == 404
    assert fan_client.get(link).status_code == 404  # a link handed out before the refund
    page = text(fan_client.get(reverse("checkout:purchases")))
    assert "Refunded — no download" in page and "Download" not in page
    assert "You bought this." not in text(fan_client.get(track.get_absolute_url()))

    deliver(paid)  # the sale's event replayed after the refund changes nothing
    assert Payment.objects.get().status == "refunded"


def test_a_partial_refund_keeps_the_download(fan_client, artist, receiver):
    paid = sell(fan_client, receiver, artist, "20.00", token="sale-one-token-000000000")
    stripe_client().v1.refunds.create(params={"charge": charge_of(paid), "amount": 500})
    for event in events(receiver, "charge.refunded"):
        deliver(event)
    assert Payment.objects.get().status == "paid"
    assert download(fan_client, Purchase.objects.get().track)[0].status_code == 200


def test_a_disputed_purchase_no_longer_unlocks_downloads(fan_client, fan, artist, receiver):
    paid = sell(fan_client, receiver, artist, "20.00", token="sale-one-token-000000000")
    stripe_client().raw_request("post", f"/v1/test_helpers/charges/{charge_of(paid)}/dispute")
    [disputed] = events(receiver, "charge.dispute.created")
    deliver(disputed)
    deliver(disputed)
    track = Purchase.objects.get().track
    assert Payment.objects.get().status == "disputed"
    assert download(fan_client, track)[0].status_code == 404
    assert "Disputed — no download" in text(fan_client.get(reverse("checkout:purchases")))


def test_the_purchases_and_thanks_pages_say_sandbox(fan_client, track, receiver, settings):
    buy_and_pay(fan_client, receiver, track, "10.00")
    thanks = reverse("checkout:thanks", args=[Payment.objects.get().id])
    for url in (reverse("checkout:purchases"), thanks):
        assert "Sandbox payments — no real money." in text(fan_client.get(url))
    settings.PAYMENTS_SANDBOX = False
    assert "no real money" not in text(fan_client.get(thanks))


def test_the_thanks_page_of_a_refunded_purchase_says_so_and_stops_asking(
    fan_client, artist, receiver
):
    paid = sell(fan_client, receiver, artist, "20.00", token="sale-one-token-000000000")
    stripe_client().v1.refunds.create(params={"charge": charge_of(paid)})
    for event in events(receiver, "charge.refunded"):
        deliver(event)
    response = fan_client.get(reverse("checkout:thanks", args=[Payment.objects.get().id]))
    assert "was refunded: it no longer unlocks downloads." in text(response)
    assert "every 2s" not in response.content.decode()


def test_a_release_taken_down_stops_the_downloads_of_its_tracks(fan_client, artist, receiver):
    release = ReleaseFactory(artist=artist, title="Harbour")
    track = TrackFactory(artist=artist, release=release, title="Pier", codec="flac")
    PriceTag.objects.create(track=track, price=1000)
    buy_and_pay(fan_client, receiver, track, "10.00")
    _, link = download(fan_client, track)

    release.taken_down_at = timezone.now()
    release.save(update_fields=["taken_down_at"])

    assert download(fan_client, track)[0].status_code == 404
    assert fan_client.get(link).status_code == 404  # a link handed out before the takedown
