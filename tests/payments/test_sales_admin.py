"""Payments, purchases and prices in the admin: staff look and search, nobody edits money."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from payments.models import Payment, PriceTag, Purchase
from tests.factories import ReleaseFactory, TrackFactory, UserFactory


def paid_sale(fan, artist, n: int, amount: int = 1000) -> Payment:
    track = TrackFactory(artist=artist, title=f"Song {n}")
    PriceTag.objects.create(track=track, price=amount, minimum=50)
    payment = Payment.objects.create(
        kind="sale", status="paid", fan=fan, artist=artist, track=track, amount=amount,
        currency="eur", form_token=f"token-{n}", payment_intent_id=f"pi_admin_{n}", fee=59,
    )  # fmt: skip
    Purchase.objects.create(payment=payment, fan=fan, track=track)
    return payment


@pytest.fixture
def payment(fan, artist):
    return paid_sale(fan, artist, 1)


@pytest.fixture
def tip(fan, artist):
    return Payment.objects.create(
        kind="tip", fan=fan, artist=artist, amount=500, currency="eur", form_token="tip-token",
        message="<script>alert('tip')</script> thanks!",
    )  # fmt: skip


MODELS = ("payment", "purchase", "pricetag")


@pytest.mark.parametrize("model", MODELS)
def test_staff_see_the_list_and_each_row(staff_client, payment, model):
    row = {"payment": payment, "purchase": payment.purchase, "pricetag": payment.track.price_tag}

    listed = staff_client.get(reverse(f"admin:payments_{model}_changelist"))
    shown = staff_client.get(reverse(f"admin:payments_{model}_change", args=[row[model].pk]))

    assert listed.status_code == shown.status_code == 200
    assert "€10.00" in listed.text and "€10.00" in shown.text
    assert 'name="_save"' not in shown.text  # a view, not a form


def test_the_payment_list_shows_amount_fee_and_status(staff_client, payment, tip):
    page = staff_client.get(reverse("admin:payments_payment_changelist")).text

    for shown in ("pi_admin_1", "€10.00", "€0.59", "Paid", "Pending", "€5.00", "Tip"):
        assert shown in page


def test_the_payment_list_filters_and_finds_a_fan_or_an_intent(staff_client, payment, tip):
    url = reverse("admin:payments_payment_changelist")

    pending = staff_client.get(url, {"status__exact": "pending"}).text
    by_intent = staff_client.get(url, {"q": "pi_admin_1"}).text
    by_fan = staff_client.get(url, {"q": payment.fan.email}).text
    missing = staff_client.get(url, {"q": "pi_nothing"}).text

    assert "€5.00" in pending and "pi_admin_1" not in pending
    assert "pi_admin_1" in by_intent and "€5.00" not in by_intent
    assert "pi_admin_1" in by_fan and "€5.00" in by_fan
    assert "0 payments" in missing


def test_a_tips_message_is_shown_as_text(staff_client, tip):
    page = staff_client.get(reverse("admin:payments_payment_change", args=[tip.pk])).text

    assert "<script>alert('tip')</script>" not in page
    assert "&lt;script&gt;" in page and "thanks!" in page


def test_the_purchase_list_finds_a_title(staff_client, payment, fan, artist):
    release = ReleaseFactory(artist=artist, title="Harbour")
    other = Payment.objects.create(
        kind="sale", status="paid", fan=fan, artist=artist, release=release, amount=900,
        currency="eur", form_token="release-token", payment_intent_id="pi_release",
    )  # fmt: skip
    Purchase.objects.create(payment=other, fan=fan, release=release)

    page = staff_client.get(reverse("admin:payments_purchase_changelist"), {"q": "Harbour"}).text

    assert "€9.00" in page and "Song 1" not in page


def test_the_price_list_tells_works_not_for_sale(staff_client, payment, artist):
    PriceTag.objects.create(release=ReleaseFactory(artist=artist, title="Draft"), price=None)

    page = staff_client.get(reverse("admin:payments_pricetag_changelist")).text

    assert "not for sale" in page and "€10.00" in page and "€0.50" in page


def test_nobody_edits_money_in_the_admin_not_even_a_superuser(staff_client, admin_user, payment):
    assert admin_user.is_superuser
    tag, purchase = payment.track.price_tag, payment.purchase
    refused = [
        ("get", reverse("admin:payments_payment_add"), {}),
        ("get", reverse("admin:payments_purchase_add"), {}),
        ("get", reverse("admin:payments_pricetag_add"), {}),
        ("post", reverse("admin:payments_payment_change", args=[payment.pk]),
         {"amount": "1", "status": "paid", "kind": "sale", "currency": "eur"}),
        ("post", reverse("admin:payments_pricetag_change", args=[tag.pk]),
         {"price": "1", "currency": "eur"}),
        ("post", reverse("admin:payments_purchase_change", args=[purchase.pk]),
         {"fan": str(UserFactory().pk)}),
        ("post", reverse("admin:payments_payment_delete", args=[payment.pk]), {"post": "yes"}),
        ("post", reverse("admin:payments_purchase_delete", args=[purchase.pk]), {"post": "yes"}),
        ("post", reverse("admin:payments_pricetag_delete", args=[tag.pk]), {"post": "yes"}),
    ]  # fmt: skip

    for method, url, data in refused:
        assert getattr(staff_client, method)(url, data).status_code == 403, url
    for model in MODELS:
        assert (
            "delete_selected"
            not in staff_client.get(reverse(f"admin:payments_{model}_changelist")).text
        )
    payment.refresh_from_db()
    tag.refresh_from_db()
    assert (payment.amount, payment.status, tag.price) == (1000, "paid", 1000)
    assert Purchase.objects.get().fan == payment.fan


def test_fans_and_artists_do_not_reach_these_pages(client, fan, artist, payment):
    for user in (fan, artist.user):
        client.force_login(user)
        for model in MODELS:
            answer = client.get(reverse(f"admin:payments_{model}_changelist"))
            assert answer.status_code == 302 and "/admin/login/" in answer["Location"]


@pytest.mark.parametrize("model", MODELS)
def test_the_lists_take_the_same_queries_for_two_rows_or_twenty(staff_client, fan, artist, model):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert (
                staff_client.get(reverse(f"admin:payments_{model}_changelist")).status_code == 200
            )
        return len(captured)

    for n in range(2):
        paid_sale(fan, artist, n)
    few = queries()
    for n in range(2, 20):
        paid_sale(UserFactory(), artist, n, amount=1000 + n)
    many = queries()

    assert many == few
