from django.db.models import Count, QuerySet

from artists.models import Artist
from backstage.models import User

from .models import Source, StreamStart


def recently_played(*, user: User, limit: int = 20) -> list:
    """The tracks `user` started most recently, newest first, each once."""
    seen, tracks = set(), []
    starts = (
        StreamStart.objects.filter(user=user)
        .select_related("track__artist", "track__release")
        .order_by("-started_at")[: limit * 5]
    )
    for start in starts:
        if start.track_id not in seen:
            seen.add(start.track_id)
            tracks.append(start.track)
        if len(tracks) == limit:
            break
    return tracks


def embed_origins(*, artist: Artist, limit: int = 10) -> QuerySet:
    """Which sites embed this artist's music, by streams started there."""
    return (
        StreamStart.objects.filter(track__artist=artist, source=Source.EMBED)
        .exclude(origin="")
        .values("origin")
        .annotate(streams=Count("id"))
        .order_by("-streams", "origin")[:limit]
    )
