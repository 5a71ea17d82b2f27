from datetime import date

from django.http import Http404

from artists.models import Artist
from artists.selectors import artist_of
from backstage.models import User

from .models import ConnectedAccount, SupporterAllocation


def access_payouts(*, user: User | None) -> tuple[Artist, ConnectedAccount | None]:
    """The artist `user` runs and their connected account (if any); Http404 for anyone else."""
    artist = artist_of(user=user)
    if artist is None:
        raise Http404("Only artists get paid.")
    return artist, ConnectedAccount.objects.filter(artist=artist).first()


def access_earnings(*, user: User | None) -> Artist:
    """The artist `user` runs, whose earnings they may read; Http404 for anyone else."""
    artist = artist_of(user=user)
    if artist is None:
        raise Http404("Only artists have earnings.")
    return artist


def supporter_shares(*, fan: User, month: date) -> list[dict]:
    """Where `fan`'s supporter money of `month` went: per artist (largest first) the artist's
    name and slug, the amount, its currency and the capped plays (0: the fallback). Two
    queries, however many artists."""
    rows = SupporterAllocation.objects.filter(fan=fan, month=month).order_by("currency")
    parts = [(row.currency, *part) for row in rows for part in row.parts()]
    artists = Artist.objects.in_bulk({artist_id for _, artist_id, _, _ in parts})
    shares = [
        {"artist": artists[artist_id], "currency": currency, "amount": amount, "plays": plays}
        for currency, artist_id, amount, plays in parts
        if artist_id in artists  # an artist deleted since keeps their money, not a line here
    ]
    return sorted(shares, key=lambda share: (-share["amount"], share["artist"].name))
