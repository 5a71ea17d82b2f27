"""Prices, the Buy and Tip forms, and starting a Stripe Checkout (against the sandbox)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from payments.models import Payment, PriceTag
from tests.factories import ReleaseFactory, TrackFactory
from tests.payments.buying import (
    TOKEN,
    buy,
    sessions,
    text,
    tip,
)

pytestmark = pytest.mark.usefixtures("payments_settings")


@pytest.fixture
def track(artist):
    return TrackFactory(artist=artist, title="Night Bus")


@pytest.fixture
def on_sale(track):
    """€5.00, or name your price from €3.00."""
    PriceTag.objects.create(track=track, price=500, minimum=300)
    return track


def price_url(item, kind="track"):
    return reverse("checkout:price", args=[kind, item.public_id])


# --- Prices -------------------------------------------------------------------------------------


def test_artist_puts_a_track_on_sale_with_a_minimum(artist_client, track):
    response = artist_client.post(price_url(track), {"price": "5", "minimum": "3,00"})
    assert response.status_code == 302
    tag = PriceTag.objects.get(track=track)
    assert (tag.price, tag.minimum, tag.currency) == (500, 300, "eur")
    page = text(artist_client.get(track.get_absolute_url()))
    assert "“Night Bus” is on sale for €5.00." in page
    assert "€5.00 or more — name your price from €3.00" in page


def test_artist_takes_a_release_off_sale(artist_client, artist):
    release = ReleaseFactory(artist=artist, title="Harbour")
    PriceTag.objects.create(release=release, price=900)
    response = artist_client.post(price_url(release, "release"), {"price": "", "minimum": ""})
    assert response.status_code == 302
    assert PriceTag.objects.get(release=release).price is None
    assert "“Harbour” is not for sale." in text(artist_client.get(release.get_absolute_url()))


def test_the_price_form_shows_the_current_price(artist_client, on_sale):
    page = artist_client.get(price_url(on_sale)).content.decode()
    assert 'value="5.00"' in page
    assert 'value="3.00"' in page


@pytest.mark.parametrize(
    ("price", "minimum", "message"),
    [
        ("abc", "", "Enter an amount like 12.50, without thousands separators."),
        ("1,234.50", "", "Enter an amount like 12.50, without thousands separators."),
        ("5.001", "", "Amounts in EUR have at most 2 decimals."),
        ("-5", "", "Enter an amount of zero or more."),
        ("0.10", "", "A price is at least €0.50."),
        ("1000000", "", "Enter an amount below €1,000,000.00."),
        ("5", "6", "Enter between €0.50 and the price."),
        ("5", "0.20", "Enter between €0.50 and the price."),
        ("", "3", "Set a price first."),
        ("<b>5</b>", "", "Enter an amount like 12.50, without thousands separators."),
    ],
)
def test_bad_prices_are_refused_with_a_clear_message(artist_client, track, price, minimum, message):
    response = artist_client.post(price_url(track), {"price": price, "minimum": minimum})
    assert response.status_code == 422
    assert message in text(response)
    assert "<b>5</b>" not in response.content.decode()
    assert not PriceTag.objects.exists()


def test_only_the_owner_prices_music(client, outsider, track):
    client.force_login(outsider)
    assert client.get(price_url(track)).status_code == 404
    assert client.post(price_url(track), {"price": "1"}).status_code == 404
    assert (
        client.get(reverse("checkout:price", args=["playlist", track.public_id])).status_code == 404
    )
    assert not PriceTag.objects.exists()


# --- The Buy button -----------------------------------------------------------------------------


def test_fans_see_a_name_your_price_buy_form(fan_client, on_sale):
    page = fan_client.get(on_sale.get_absolute_url()).content.decode()
    assert f'action="{reverse("checkout:buy", args=["track", on_sale.public_id])}"' in page
    assert "€3.00 or more." in page
    assert "Sandbox payments — no real money." in page


def test_visitors_are_asked_to_log_in_to_buy(client, on_sale):
    page = client.get(on_sale.get_absolute_url()).content.decode()
    buy_url = reverse("checkout:buy", args=["track", on_sale.public_id])
    assert f"{reverse('account_login')}?next={buy_url}" in page


def test_music_not_for_sale_has_no_buy_button(fan_client, track):
    assert "Buy" not in text(fan_client.get(track.get_absolute_url()))


# --- Starting a checkout ------------------------------------------------------------------------


def test_buying_sends_the_fan_to_stripes_hosted_page(fan_client, fan, on_sale, stripe_client):
    response = buy(fan_client, on_sale, "7")
    payment = Payment.objects.get()
    assert (payment.kind, payment.status, payment.amount, payment.currency) == (
        "sale",
        "pending",
        700,
        "eur",
    )
    assert (payment.fan, payment.track, payment.artist) == (fan, on_sale, on_sale.artist)
    assert response.status_code == 303
    assert response["Location"] == payment.checkout_url
    assert "/sandbox/checkout/cs_test_" in payment.checkout_url
    session = stripe_client.v1.checkout.sessions.retrieve(payment.checkout_session_id)
    assert (session.amount_total, session.currency, session.mode) == (700, "eur", "payment")
    assert session.metadata["backstage_payment"] == str(payment.id)
    assert session.customer_email == "fan@example.com"
    assert session.success_url == (
        f"http://backstage.test/payments/{payment.id}/thanks?session={{CHECKOUT_SESSION_ID}}"
    )
    assert session.cancel_url == "http://backstage.test" + on_sale.get_absolute_url()


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("2.99", "Enter at least €3.00."),
        ("1000000", "Enter an amount below €1,000,000.00."),
        ("99999999999999999999", "Enter an amount below €1,000,000.00."),
        ("five", "Enter an amount like 12.50, without thousands separators."),
        ("1e3", "Enter an amount like 12.50, without thousands separators."),
        ("", "Enter an amount."),
        ("x" * 5000, "Ensure this value has at most 32 characters (it has 5000)."),
    ],
)
def test_bad_amounts_are_refused_before_stripe(fan_client, on_sale, sandbox, amount, message):
    response = buy(fan_client, on_sale, amount)
    assert response.status_code == 422
    assert message in text(response)
    assert not Payment.objects.exists()
    assert sessions(sandbox) == []


def test_a_form_without_its_token_is_refused(fan_client, on_sale, sandbox):
    url = reverse("checkout:buy", args=["track", on_sale.public_id])
    for token in ("", "<script>", "short"):
        response = fan_client.post(url, {"amount": "5", "token": token})
        assert response.status_code == 422
        assert "This form has expired. Reload the page and try again." in text(response)
    assert not Payment.objects.exists()


def _unbuyable(kind, artist):
    if kind == "private":
        track = TrackFactory(artist=artist, visibility="private")
    elif kind == "taken down":
        track = TrackFactory(artist=artist, taken_down_at=timezone.now())
    elif kind == "processing":
        track = TrackFactory(artist=artist, status="processing", renditions=False)
    else:
        return TrackFactory(artist=artist)  # no price tag
    PriceTag.objects.create(track=track, price=500)
    return track


@pytest.mark.parametrize("kind", ["private", "taken down", "processing", "not for sale"])
def test_music_that_cannot_be_bought_is_a_404(fan_client, artist, sandbox, kind):
    track = _unbuyable(kind, artist)
    assert buy(fan_client, track, "5").status_code == 404
    assert (
        fan_client.get(reverse("checkout:buy", args=["track", track.public_id])).status_code == 404
    )
    assert not Payment.objects.exists()
    assert sessions(sandbox) == []


def test_artists_cannot_buy_their_own_music(artist_client, on_sale):
    assert buy(artist_client, on_sale, "5").status_code == 404


def test_buying_needs_an_account(client, on_sale):
    response = buy(client, on_sale, "5")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert not Payment.objects.exists()


def test_a_double_submission_makes_one_payment_and_one_session(fan_client, on_sale, sandbox):
    first = buy(fan_client, on_sale, "5")
    second = buy(fan_client, on_sale, "5")
    assert first["Location"] == second["Location"]
    assert Payment.objects.count() == 1
    assert len(sessions(sandbox)) == 1


def test_a_retry_after_losing_stripes_answer_gets_the_same_session(fan_client, on_sale, sandbox):
    """The session was made but our write of its id was lost: the idempotency key derived from
    the Payment row makes Stripe answer the same session again."""
    first = buy(fan_client, on_sale, "5")
    Payment.objects.update(checkout_session_id="", checkout_url="")
    second = buy(fan_client, on_sale, "5")
    assert first["Location"] == second["Location"]
    assert len(sessions(sandbox)) == 1
    assert Payment.objects.get().checkout_url == first["Location"]


def test_a_form_token_cannot_be_reused_for_other_music(fan_client, on_sale, artist, sandbox):
    other = TrackFactory(artist=artist)
    PriceTag.objects.create(track=other, price=500)
    buy(fan_client, on_sale, "5")
    response = buy(fan_client, other, "5")
    assert response.status_code == 422
    assert "This form was already used. Reload the page and try again." in text(response)
    assert Payment.objects.count() == 1


def test_stripe_unavailable_says_nothing_was_charged(fan_client, on_sale, settings):
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # nothing listens there
    response = buy(fan_client, on_sale, "5")
    assert response.status_code == 503
    assert "Payments are unavailable right now; nothing was charged." in text(response)
    assert Payment.objects.get().checkout_url == ""


# --- Tips ---------------------------------------------------------------------------------------


def test_a_tip_with_a_message_goes_to_checkout(fan_client, artist, sandbox):
    response = tip(fan_client, artist, "2.50", message="Thanks for <b>Night Bus</b>!")
    assert response.status_code == 303
    payment = Payment.objects.get()
    assert (payment.kind, payment.amount, payment.artist, payment.track) == (
        "tip",
        250,
        artist,
        None,
    )
    assert payment.message == "Thanks for <b>Night Bus</b>!"
    assert sessions(sandbox)[0]["metadata"] == {"backstage_payment": str(payment.id), "kind": "tip"}


def test_the_artist_page_has_a_tip_button(fan_client, artist):
    page = fan_client.get(artist.get_absolute_url()).content.decode()
    assert reverse("checkout:tip", args=[artist.slug]) in page


def test_a_tip_message_is_escaped_where_it_is_shown(fan_client, artist):
    tip(fan_client, artist, "2.50", message='<script>alert("x")</script>')
    payment = Payment.objects.get()
    page = fan_client.get(reverse("checkout:thanks", args=[payment.id])).content.decode()
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page


@pytest.mark.parametrize(
    ("amount", "message", "error"),
    [
        ("0.49", "", "Enter at least €0.50."),
        ("2", "x" * 281, "Ensure this value has at most 280 characters (it has 281)."),
        ("abc", "hi", "Enter an amount like 12.50, without thousands separators."),
    ],
)
def test_bad_tips_are_refused(fan_client, artist, sandbox, amount, message, error):
    response = tip(fan_client, artist, amount, message=message)
    assert response.status_code == 422
    assert error in text(response)
    assert not Payment.objects.exists()
    assert sessions(sandbox) == []


def test_artists_do_not_tip_themselves(artist_client, artist):
    assert tip(artist_client, artist, "5").status_code == 404


def test_the_thanks_page_is_the_fans_own(client, fan, outsider, artist):
    client.force_login(fan)
    tip(client, artist, "2.50", token=TOKEN)
    payment = Payment.objects.get()
    assert "We are confirming your payment of €2.50" in text(
        client.get(reverse("checkout:thanks", args=[payment.id]))
    )
    client.force_login(outsider)
    assert client.get(reverse("checkout:thanks", args=[payment.id])).status_code == 404


def test_a_new_price_shows_on_cached_anonymous_pages(client, artist, track, settings):
    settings.PAGE_CACHE = True
    assert "€5.00" not in text(client.get(track.get_absolute_url()))  # now cached
    client.force_login(artist.user)
    client.post(price_url(track), {"price": "5", "minimum": ""})
    client.logout()
    assert "€5.00" in text(client.get(track.get_absolute_url()))
