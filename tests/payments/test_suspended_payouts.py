"""A suspended artist is not paid out: the balance stays in the ledger untouched and is paid on
the first run after the suspension is lifted (docs/security.md "Suspension")."""

import pytest
from django.test import Client
from django.urls import reverse

from moderation import actions
from payments import ledger, payouts, tasks
from payments.distribution import distribute_month
from payments.models import Payout
from tests.factories import ArtistFactory, TrackFactory, UserFactory
from tests.payments.paying_out import onboard, sell
from tests.payments.scenarios import assert_books_balance
from tests.payments.test_payouts import SHARE_20, transfers
from tests.payments.test_supporters import NOV, balances, fund, plays

pytestmark = pytest.mark.usefixtures("payments_settings")


@pytest.fixture
def moderator(admin_user):
    return admin_user


def suspend(artist, moderator):
    actions.suspend_user(user=artist.user, actor=moderator, note="Fraud under review")


def lift(artist, moderator):
    actions.unsuspend_user(user=artist.user, actor=moderator, note="Cleared")


def test_a_suspended_artist_is_paid_on_the_first_run_after_the_suspension_is_lifted(
    fan_client, artist, sandbox, receiver, moderator
):
    onboard(sandbox, artist)
    sell(fan_client, receiver, artist, "20.00", token="sale-one-token-000000000")
    suspend(artist, moderator)

    assert payouts.run_payouts() == []
    assert Payout.objects.count() == 0 and transfers(sandbox) == []
    assert ledger.artist_balance(artist, "eur").amount == SHARE_20  # untouched

    lift(artist, moderator)
    [payout] = payouts.run_payouts()
    assert (payout.status, payout.amount) == ("sent", SHARE_20)
    assert ledger.artist_balance(artist, "eur").amount == 0
    assert_books_balance(artist)


def test_others_are_paid_while_one_artist_is_suspended(
    fan_client, artist, sandbox, receiver, moderator
):
    other = ArtistFactory()
    for who, token in ((artist, "sale-one-token-000000000"), (other, "sale-two-token-000000000")):
        onboard(sandbox, who)
        sell(fan_client, receiver, who, "20.00", token=token)
    suspend(artist, moderator)

    [payout] = payouts.run_payouts()
    assert payout.artist == other
    assert transfers(sandbox, artist) == []


def test_a_payout_pending_when_the_artist_was_suspended_waits_too(
    fan_client, artist, sandbox, receiver, moderator, monkeypatch
):
    onboard(sandbox, artist)
    sell(fan_client, receiver, artist, "20.00", token="sale-one-token-000000000")
    real = payouts._create_transfer
    monkeypatch.setattr(payouts, "_create_transfer", lambda payout: 1 / 0)
    [pending] = payouts.run_payouts()
    assert pending.status == "pending"
    monkeypatch.setattr(payouts, "_create_transfer", real)
    suspend(artist, moderator)

    assert payouts.run_payouts() == []
    assert transfers(sandbox) == []
    pending.refresh_from_db()
    assert pending.status == "pending"

    lift(artist, moderator)
    [sent] = payouts.run_payouts()
    assert (sent.id, sent.status) == (pending.id, "sent")
    assert len(transfers(sandbox)) == 1
    assert_books_balance(artist)


def test_run_payouts_now_in_the_admin_skips_a_suspended_artist(
    fan_client, artist, sandbox, receiver, moderator, monkeypatch
):
    onboard(sandbox, artist)
    sell(fan_client, receiver, artist, "20.00", token="sale-one-token-000000000")
    monkeypatch.setattr(tasks.run_payouts, "delay", lambda: payouts.run_payouts())
    staff = Client()
    staff.force_login(moderator)
    changelist = reverse("admin:payments_payout_changelist")
    suspend(artist, moderator)

    answer = staff.post(changelist, {"action": "run_payouts_now"}, follow=True)
    assert "Payouts are running." in answer.text
    assert Payout.objects.count() == 0
    assert ledger.artist_balance(artist, "eur").amount == SHARE_20

    lift(artist, moderator)
    staff.post(changelist, {"action": "run_payouts_now"}, follow=True)
    [payout] = Payout.objects.all()
    assert (payout.artist, payout.amount, payout.status) == (artist, SHARE_20, "sent")


def test_the_supporter_share_of_a_suspended_artist_is_held_in_their_balance(moderator):
    played = TrackFactory(artist=ArtistFactory(name="Suspended"))
    fan = UserFactory()
    fund(fan, 1000)
    plays(f"u:{fan.id}", played, 5)
    suspend(played.artist, moderator)

    distribute_month(month=NOV)

    assert balances(played.artist) == [1000]  # earned by real plays: kept, and held
    assert payouts.create_payout(artist=played.artist, currency="eur") is None
    assert_books_balance()


def test_the_fallback_shares_nobodys_listening_among_artists_not_suspended(moderator):
    hidden, shown = (TrackFactory(artist=ArtistFactory(name=n)) for n in ("Hidden", "Shown"))
    fan = UserFactory()
    fund(fan, 1000)  # played nothing, and the radio played nobody: equal shares
    suspend(hidden.artist, moderator)

    distribute_month(month=NOV)

    assert balances(hidden.artist, shown.artist) == [0, 1000]
