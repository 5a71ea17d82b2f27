"""Buy, Tip, Subscribe and setting up payouts are rate limited per person: 429, Retry-After and
a message a person understands; nothing is written for a refused request."""

import pytest
from django.urls import reverse

from payments.models import Payment, PriceTag
from tests.factories import TrackFactory
from tests.payments.buying import buy, text, tip

pytestmark = pytest.mark.usefixtures("payments_settings")


def test_buying_too_fast_is_refused_with_retry_after(fan_client, artist, outsider, client):
    track = TrackFactory(artist=artist, title="Night Bus")
    PriceTag.objects.create(track=track, price=1000)
    answers = [buy(fan_client, track, "10.00", token=f"buy-token-{n:020d}") for n in range(11)]
    assert [a.status_code for a in answers] == [303] * 10 + [429]
    refused = answers[-1]
    assert refused["Retry-After"] == "60"
    assert "You are buying very fast: wait a minute, then try again." in text(refused)
    assert Payment.objects.count() == 10  # the refused one wrote nothing

    client.force_login(outsider)  # per person: someone else still buys
    assert buy(client, track, "10.00", token="outsider-token-0000000").status_code == 303


def test_tipping_too_fast_is_refused(fan_client, artist):
    answers = [tip(fan_client, artist, "1.00", token=f"tip-token-{n:020d}") for n in range(11)]
    assert answers[-1].status_code == 429
    assert "You are tipping very fast" in text(answers[-1])
    assert fan_client.get(reverse("checkout:tip", args=[artist.slug])).status_code == 200


def test_pressing_subscribe_too_fast_is_refused(fan_client, embedded):
    answers = [fan_client.post(reverse("supporters:subscribe")) for _ in range(6)]
    assert [a.status_code for a in answers] == [303] * 5 + [429]
    assert answers[-1]["Retry-After"] == "60"
    assert reverse("supporters:page") in answers[-1].content.decode()  # a way back


def test_setting_up_payouts_too_fast_is_refused(artist_client, sandbox):
    url = reverse("payments:payouts_onboard")
    answers = [artist_client.post(url) for _ in range(6)]
    assert [a.status_code for a in answers] == [302] * 5 + [429]
    assert "You are setting up payouts very fast" in text(answers[-1])
