from django.http import Http404

from backstage.models import User

from .models import Artist


def artist_of(*, user: User | None) -> Artist | None:
    """The artist profile `user` runs, if any."""
    if user is None or not user.is_authenticated:
        return None
    return Artist.objects.filter(user=user).first()


def access_artist(*, user: User | None, slug: str) -> Artist:
    """The artist page `user` may see; Http404 for unknown or suspended profiles."""
    artist = Artist.objects.filter(slug=slug).first()
    if artist is None:
        raise Http404("No such artist.")
    if artist.is_suspended and not (user and (user.is_staff or artist.user_id == user.id)):
        raise Http404("No such artist.")
    return artist
