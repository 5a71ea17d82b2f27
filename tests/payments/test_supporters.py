"""The supporter plan: subscribing through the sandbox, booking invoices once, and the monthly
distribution of the pool with exact cents, caps and the fallback."""

import random
import uuid
from datetime import UTC, date, datetime

import pytest
import requests
from django.db import connection, transaction
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from analytics.models import PlayEvent
from artists.models import Artist
from payments import ledger
from payments.distribution import distribute_month, parse_month
from payments.models import (
    LedgerAccount,
    LedgerEntry,
    LedgerTransaction,
    Subscription,
    SupporterAllocation,
    SupporterMonth,
)
from payments.splitting import allocate
from payments.supporters import book_invoice
from tests.factories import ArtistFactory, TrackFactory, UserFactory
from tests.payments.buying import deliver, pay, text
from tests.payments.conftest import WEBHOOK_SECRET

pytestmark = pytest.mark.django_db

NOV = date(2026, 11, 1)


def assert_books_balance():
    assert set(ledger.ledger_totals().values()) <= {0}
    for account in LedgerAccount.objects.filter(kind=LedgerAccount.Kind.ARTIST_BALANCE):
        entries = LedgerEntry.objects.filter(account=account).aggregate(total=Sum("amount"))
        assert ledger.artist_balance(account.artist, account.currency).amount == entries["total"]


def signed_events(receiver, type):
    import stripe

    return [
        stripe.Webhook.construct_event(body, signature, WEBHOOK_SECRET)
        for body, signature in receiver.received
        if f'"type": "{type}"' in body or f'"type":"{type}"' in body
    ]


# --- Subscribing ---------------------------------------------------------------------------------


def test_subscribing_books_the_invoice_once_however_often_it_is_delivered(
    fan_client, fan, embedded, receiver, payments_settings
):
    response = fan_client.post(reverse("supporters:subscribe"))
    assert response.status_code == 303
    again = fan_client.post(reverse("supporters:subscribe"))  # a double click: the same session
    assert again["Location"] == response["Location"]
    pay(response["Location"])
    receiver.wait_for("invoice.paid")
    receiver.wait_for("checkout.session.completed")
    for _ in range(3):  # replays, in Stripe's order and out of it
        for event in signed_events(receiver, "invoice.paid"):
            deliver(event)
        for event in signed_events(receiver, "checkout.session.completed"):
            deliver(event)

    plan = Subscription.objects.get(fan=fan)
    assert plan.status == Subscription.Status.ACTIVE
    assert plan.stripe_subscription_id.startswith("sub_")
    month = SupporterMonth.objects.get()
    booked = LedgerTransaction.objects.get(kind=LedgerTransaction.Kind.SUPPORTER_PAYMENT)
    amounts = dict(booked.entries.values_list("account__kind", "amount"))
    fee = amounts["processor_fees"]
    assert amounts == {
        "customer_payments": -500,
        "processor_fees": fee,
        "platform_revenue": 50,  # 10 % of €5.00
        "supporter_pool": 450 - fee,
    }
    assert fee == 45  # the sandbox's 2.9 % + 30 c, rounded
    assert (month.fan, month.amount, month.pool) == (fan, 500, 405)
    assert_books_balance()

    page = fan_client.get(reverse("supporters:page"))
    assert "You are a supporter: €5.00 a month." in text(page)
    assert "Subscribe for" not in text(page)
    assert reverse("supporters:page") in fan_client.get(reverse("account_preferences")).text


def went(fan, month: date, parts: list[tuple], fallback: bool = False) -> None:
    """Where `fan`'s money of `month` went, as the distribution writes it: [(artist, amount,
    plays)]."""
    SupporterAllocation.objects.create(
        month=month,
        fan=fan,
        currency="eur",
        pool=sum(amount for _, amount, _ in parts),
        fallback=fallback,
        artist_ids=[artist.id for artist, _, _ in parts],
        amounts=[amount for _, amount, _ in parts],
        plays=[plays for _, _, plays in parts],
    )


def test_a_supporter_sees_where_last_months_money_went(fan_client, fan):
    from payments.distribution import last_month

    Subscription.objects.create(fan=fan, amount=500, currency="eur", status="active")
    month = last_month()
    a, b = ArtistFactory(name="Ada <b>"), ArtistFactory(name="Bo")
    went(fan, month, [(b, 101, 1), (a, 304, 3)])
    went(UserFactory(), month, [(b, 405, 9)])  # another fan's month
    went(fan, date(2020, 1, 1), [(b, 405, 9)])  # this fan's month before
    page = fan_client.get(reverse("supporters:page"))
    assert "Ada &lt;b&gt;" in page.content.decode()  # escaped
    assert "Ada &lt;b&gt; · €3.04 (3 plays) Bo · €1.01 (1 play)" in text(page)
    assert "€4.05" not in text(page)


def test_a_supporter_sees_which_money_went_by_the_fallback(fan_client, fan):
    from payments.distribution import last_month

    Subscription.objects.create(fan=fan, amount=500, currency="eur", status="active")
    a = ArtistFactory(name="Radio Ann")
    went(fan, last_month(), [(a, 405, 0)], fallback=True)
    assert "Radio Ann · €4.05 (fallback)" in text(fan_client.get(reverse("supporters:page")))


def test_last_months_money_costs_the_same_queries_for_many_artists(
    fan_client, fan, django_assert_max_num_queries
):
    from payments.distribution import last_month

    Subscription.objects.create(fan=fan, amount=500, currency="eur", status="active")
    artists = ArtistFactory.create_batch(25)
    went(fan, last_month(), [(artist, 16, 2) for artist in artists])
    with django_assert_max_num_queries(8):
        page = fan_client.get(reverse("supporters:page"))
    assert text(page).count("€0.16 (2 plays)") == 25


def test_next_months_invoice_is_a_second_booking(fan, embedded, receiver, payments_settings):
    from payments.supporters import start_plan

    plan = start_plan(fan=fan)
    pay(plan.checkout_url)
    receiver.wait_for("invoice.paid")
    subscription = receiver.events("customer.subscription.created")[0]["data"]["object"]["id"]
    answer = requests.post(
        f"{embedded.url}/v1/test_helpers/subscriptions/{subscription}/advance",
        headers={"Authorization": "Bearer sk_test_sandbox"},
        timeout=5,
    )
    assert answer.status_code == 200
    receiver.wait_for("invoice.paid", 2)
    for event in signed_events(receiver, "invoice.paid") * 3:
        deliver(event)
    assert SupporterMonth.objects.count() == 2
    assert LedgerTransaction.objects.filter(kind="supporter_payment").count() == 2
    assert_books_balance()


def test_an_invoice_of_someone_elses_subscription_books_nothing(embedded, payments_settings):
    from payments.stripe_api import stripe_client

    session = stripe_client().v1.checkout.sessions.create(
        params={
            "mode": "subscription",
            "line_items": [
                {
                    "price_data": {
                        "currency": "eur",
                        "unit_amount": 900,
                        "recurring": {"interval": "month"},
                        "product_data": {"name": "Not ours"},
                    },
                    "quantity": 1,
                }
            ],
            "success_url": "http://x.test/",
        }
    )
    pay(session.url)
    invoice = stripe_client().v1.checkout.sessions.retrieve(session.id).invoice
    assert book_invoice(invoice_id=invoice) is None
    assert not LedgerEntry.objects.exists()


def test_subscribe_needs_a_login(client):
    response = client.post(reverse("supporters:subscribe"))
    assert response.status_code == 302 and "login" in response["Location"]
    assert not Subscription.objects.exists()


def test_subscribe_needs_a_post(fan_client):
    assert fan_client.get(reverse("supporters:subscribe")).status_code == 405
    assert not Subscription.objects.exists()


def test_when_stripe_is_down_nothing_is_charged_and_pressing_again_retries(
    fan_client, fan, settings
):
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # nothing listens there
    response = fan_client.post(reverse("supporters:subscribe"))
    assert response.status_code == 503
    assert "Payments are unavailable right now; nothing was charged." in text(response)
    plan = Subscription.objects.get(fan=fan)
    assert (plan.status, plan.checkout_url) == ("pending", "")
    settings.STRIPE_API_BASE = ""
    again = fan_client.post(reverse("supporters:subscribe"))
    assert again.status_code == 303
    assert Subscription.objects.get().checkout_url == again["Location"]


def test_the_public_page_states_the_price_cut_cap_and_fallback(client):
    page = text(client.get(reverse("supporters:page")))
    assert "For €5.00 a month" in page
    assert "Backstage keeps 10 % of the €5.00" in page
    assert "At most 100 plays of one artist count in a month" in page
    assert "the artists the radio played that month" in page
    assert "Subscribe for €5.00 a month" in page


# --- The monthly distribution --------------------------------------------------------------------


def fund(fan, pool: int, month: date = NOV, currency: str = "eur") -> None:
    """A fan's paid month, as book_invoice leaves it: the pool money in the ledger and tagged."""
    invoice = f"in_{uuid.uuid4().hex[:12]}"
    ledger.post_transaction(
        kind="supporter_payment",
        reference=invoice,
        currency=currency,
        entries=[
            (ledger.get_account(kind="customer_payments", currency=currency), -pool),
            (ledger.get_account(kind="supporter_pool", currency=currency), pool),
        ],
    )
    SupporterMonth.objects.create(
        fan=fan, month=month, invoice_id=invoice, amount=pool, pool=pool, currency=currency
    )


def plays(listener: str, track, count: int, **fields) -> None:
    at = fields.pop("at", datetime(2026, 11, 10, tzinfo=UTC))
    PlayEvent.objects.bulk_create(
        PlayEvent(
            nonce=uuid.uuid4().hex,
            track=track,
            artist_id=track.artist_id,
            listener_key=listener,
            started_at=at,
            counted=fields.get("counted", True),
            flagged=fields.get("flagged", False),
            source=fields.get("source", "direct"),
        )
        for _ in range(count)
    )


def parts_of(fan, currency: str = "eur") -> dict[int, tuple[int, int]]:
    """{artist id: (amount, plays)} of the fan's allocation, checked to sum to its pool."""
    rows = SupporterAllocation.objects.filter(fan=fan, currency=currency)
    parts = {}
    for row in rows:
        assert sum(row.amounts) == row.pool and all(row.amounts)
        parts |= {artist_id: (amount, plays) for artist_id, amount, plays in row.parts()}
    return parts


def shares_of(fan) -> dict[str, int]:
    names = dict(Artist.objects.values_list("id", "name"))
    return {names[artist_id]: amount for artist_id, (amount, _) in parts_of(fan).items()}


def balances(*artists) -> list[int]:
    return [ledger.artist_balance(artist, "eur").amount for artist in artists]


# PostgreSQL's and the embedded SQLite's ways (the SQL one needs PostgreSQL).
ENGINES = pytest.mark.parametrize(
    "engine", ["sql", "python"] if connection.vendor == "postgresql" else ["python"]
)


@ENGINES
def test_each_supporters_pool_goes_to_the_artists_they_played_capped_exactly(engine):
    a, b, c = (TrackFactory(artist=ArtistFactory(name=name)) for name in "ABC")
    f1, f2, f3, f4 = UserFactory.create_batch(4)
    for fan in (f1, f2, f3):
        fund(fan, 405)
    fund(f4, 405, month=date(2026, 10, 1))  # October's money: not this month's
    plays(f"u:{f1.id}", a, 3)
    plays(f"u:{f1.id}", b, 1)
    plays(f"u:{f1.id}", c, 5, at=datetime(2026, 10, 31, 23, 59, tzinfo=UTC))  # October
    plays(f"u:{f1.id}", c, 4, counted=False)  # skipped
    plays(f"u:{f1.id}", c, 2, flagged=True)
    plays(f"u:{f2.id}", a, 250)  # capped at 100
    plays(f"u:{f2.id}", c, 100)
    plays("a:someone", b, 2, source="radio")  # f3 played nothing: the radio's split
    plays("a:someone", c, 1, source="radio")

    result = distribute_month(month=NOV, engine=engine)

    assert shares_of(f1) == {"A": 304, "B": 101}  # 405 × 3/4 and 1/4, the odd cent to A
    assert shares_of(f2) == {"A": 203, "C": 202}  # 100 : 100, not 250 : 100
    assert shares_of(f3) == {"B": 270, "C": 135}  # radio plays 2 : 1
    assert shares_of(f4) == {}
    assert parts_of(f2)[a.artist_id] == (203, 100)  # the capped plays are kept with the money
    assert SupporterAllocation.objects.get(fan=f3).fallback
    assert balances(a.artist, b.artist, c.artist) == [507, 371, 337]
    assert (result.supporters, result.fallback_supporters, result.moved) == (3, 1, {"eur": 1215})
    pool = ledger.get_account(kind="supporter_pool", currency="eur")
    assert ledger.balance(pool).amount == 405  # only October's money is left
    assert_books_balance()


@ENGINES
def test_running_a_month_again_changes_nothing(engine):
    a = TrackFactory()
    fan = UserFactory()
    fund(fan, 1000)
    plays(f"u:{fan.id}", a, 7)
    distribute_month(month=NOV, engine=engine)
    counts = (LedgerEntry.objects.count(), SupporterAllocation.objects.count())
    again = distribute_month(month=NOV, engine=engine)
    assert again.already_done
    assert (LedgerEntry.objects.count(), SupporterAllocation.objects.count()) == counts
    assert balances(a.artist) == [1000]
    assert_books_balance()


@ENGINES
def test_without_radio_plays_the_fallback_is_equal_among_artists_with_public_music(engine):
    public = [TrackFactory(artist=ArtistFactory(name=name)) for name in "ABC"]
    TrackFactory(artist=ArtistFactory(name="Private"), visibility="private")
    fan = UserFactory()
    fund(fan, 100)
    distribute_month(month=NOV, engine=engine)
    assert shares_of(fan) == {"A": 34, "B": 33, "C": 33}
    assert balances(*(t.artist for t in public)) == [34, 33, 33]
    assert_books_balance()


def month_of_fans(count: int, tracks: list, month: date) -> list:
    """`count` fans funded in `month`, fan i playing (i % 4 + 1) of the tracks 1, 2, 3, 4 times."""
    fans = UserFactory.create_batch(count)
    at = datetime(month.year, month.month, 10, tzinfo=UTC)
    for index, fan in enumerate(fans):
        fund(fan, 500 + index, month=month)
        for offset in range(index % 4 + 1):
            plays(f"u:{fan.id}", tracks[(index + offset) % 6], offset + 1, at=at)
    return fans


@ENGINES
def test_many_fans_and_artists_in_a_constant_number_of_queries(engine):
    tracks = [TrackFactory() for _ in range(6)]
    month_of_fans(3, tracks, date(2026, 10, 1))
    fans = month_of_fans(30, tracks, NOV)
    with CaptureQueriesContext(connection) as few:
        distribute_month(month=date(2026, 10, 1), engine=engine)
    with CaptureQueriesContext(connection) as queries:
        result = distribute_month(month=NOV, engine=engine)
    assert result.supporters == 30 and result.fallback_supporters == 0
    assert result.moved == {"eur": sum(500 + i for i in range(30))}
    assert len(queries) == len(few)  # none per fan or per artist: 3 fans cost what 30 do
    for index, fan in enumerate(fans):  # the split is splitting.allocate's, to the cent
        played = sorted(((index + offset) % 6, offset + 1) for offset in range(index % 4 + 1))
        expected = allocate(500 + index, [count for _, count in played])
        got = {artist_id: amount for artist_id, (amount, _) in parts_of(fan).items()}
        assert got == {
            tracks[t].artist_id: part for (t, _), part in zip(played, expected, strict=True) if part
        }
    assert_books_balance()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="compares with PostgreSQL's SQL")
def test_the_sql_and_the_python_distribution_agree_to_the_cent_on_the_same_data():
    """Ties, caps, 1-cent and odd pools, a fan paying in two currencies, fans who played
    nobody (the radio's fallback), plays of a deleted artist and of other months."""
    rng = random.Random(6)
    tracks = [TrackFactory() for _ in range(12)]
    gone = TrackFactory()
    fans = UserFactory.create_batch(40)
    for index, fan in enumerate(fans):
        fund(fan, rng.choice([1, 2, 7, 405, 1000, 99_999]))
        if index % 9 == 0:
            fund(fan, rng.randint(1, 900), currency="usd")
        if index % 7 == 3:
            continue  # plays nothing: the fallback
        for track in rng.sample(tracks, rng.randint(1, 12)):
            plays(f"u:{fan.id}", track, rng.choice([1, 1, 2, 3, 100, 101, 150]))
        plays(f"u:{fan.id}", gone, 5)
        plays(f"u:{fan.id}", tracks[0], 4, at=datetime(2026, 12, 1, tzinfo=UTC))
    plays("a:radio-listener", tracks[1], 3, source="radio")
    plays("a:radio-listener", tracks[2], 2, source="radio")
    plays(f"u:{fans[0].id}", tracks[3], 1, source="radio")
    ghost = Artist.objects.order_by("-id").first().id + 1000  # an artist deleted by hand
    PlayEvent.objects.filter(track=gone).update(artist_id=ghost)

    def outcome(engine):
        with transaction.atomic():
            result = distribute_month(month=NOV, engine=engine)
            allocations = {
                (row.fan_id, row.currency): (row.pool, row.fallback, row.parts())
                for row in SupporterAllocation.objects.all()
            }
            entries = sorted(
                LedgerEntry.objects.filter(transaction__kind="distribution").values_list(
                    "transaction__reference", "account__kind", "account__artist_id", "amount"
                )
            )
            transaction.set_rollback(True)
        return result, allocations, entries

    python, sql = outcome("python"), outcome("sql")
    assert python == sql
    result, allocations, entries = sql
    assert result.supporters == 40 and result.fallback_supporters == 6
    assert len(allocations) == 45 and {currency for _, currency in allocations} == {"eur", "usd"}
    assert all(
        sum(amount for _, amount, _ in parts) == pool for pool, _, parts in allocations.values()
    )
    assert ghost not in {artist for *_, artist, _ in entries}
    assert {reference for reference, *_ in entries} == {
        "distribution-2026-11",
        "distribution-2026-11-usd",
    }


def test_months_are_written_yyyy_mm():
    assert parse_month("2026-11") == NOV
    for bad in ("2026-13", "26-11", "2026-11'; DROP", ""):
        with pytest.raises(ValueError):
            parse_month(bad)


def test_the_monthly_task_distributes_the_month_it_is_given_once():
    from payments.tasks import distribute_supporters

    track = TrackFactory()
    fan = UserFactory()
    fund(fan, 700)
    plays(f"u:{fan.id}", track, 2)
    distribute_supporters("2026-11")
    distribute_supporters("2026-11")
    assert balances(track.artist) == [700]
    assert LedgerTransaction.objects.filter(reference="distribution-2026-11").count() == 1
    assert_books_balance()
