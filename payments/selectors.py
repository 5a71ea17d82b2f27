from django.http import Http404

from artists.models import Artist
from artists.selectors import artist_of
from backstage.models import User

from .models import ConnectedAccount


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
