"""Booking the money of a sale as checkout will: Stripe's fee and the platform's cut off the
price, the rest split among the credited artists by basis points."""

from payments import ledger
from payments.models import LedgerAccount, LedgerEntry, LedgerTransaction
from payments.splitting import allocate

Kind = LedgerAccount.Kind


def stripe_fee(price: int) -> int:
    """2.9 % + 30 minor units, the percentage rounded half up: €10.00 → 29 + 30 = 59."""
    return (price * 29 + 500) // 1000 + 30


def book_sale(
    *, reference, price, splits, currency="eur", platform_bp=1500, fee=None
) -> LedgerTransaction:
    """`splits`: [(artist, basis points)]. `fee` defaults to Stripe's on `price`."""
    fee = stripe_fee(price) if fee is None else fee
    _, cut = allocate(price, [10_000 - platform_bp, platform_bp])
    shares = allocate(price - cut - fee, [bp for _, bp in splits])
    account = ledger.get_account
    return ledger.post_transaction(
        kind=LedgerTransaction.Kind.SALE,
        reference=reference,
        memo=f"Sale {reference}",
        currency=currency,
        entries=[
            (account(kind=Kind.CUSTOMER_PAYMENTS, currency=currency), -price),
            (account(kind=Kind.PROCESSOR_FEES, currency=currency), fee),
            (account(kind=Kind.PLATFORM_REVENUE, currency=currency), cut),
            *(
                (account(kind=Kind.ARTIST_BALANCE, currency=currency, artist=artist), share)
                for (artist, _), share in zip(splits, shares, strict=True)
            ),
        ],
    )


def assert_books_balance(*artists, currency="eur"):
    """The check after every scenario: the ledger sums to zero in every currency, and each
    artist's balance is the sum of the entries on their account."""
    assert all(total == 0 for total in ledger.ledger_totals().values())
    assert ledger.audit_ledger().problems == []
    for artist in artists:
        amounts = LedgerEntry.objects.filter(account__artist=artist, currency=currency).values_list(
            "amount", flat=True
        )
        assert ledger.artist_balance(artist, currency).amount == sum(amounts)


def balances(currency="eur") -> dict[str, int]:
    """Every account's balance in minor units, by a readable name ("artist:mira-sol")."""
    shown = {}
    for account in LedgerAccount.objects.filter(currency=currency).select_related("artist"):
        name = f"artist:{account.artist.slug}" if account.artist_id else account.kind
        shown[name] = ledger.balance(account).amount
    return shown
