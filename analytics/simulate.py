"""A listening history for the demo: plays as the player would have reported them.

Beacons go through the same buffer and drain as real ones (so every rollup, listener count and
referrer is built the real way), stamped with the times they would have arrived.
"""

import random
import uuid
from datetime import UTC, datetime, timedelta

from django.utils import timezone

from playlists.models import Playlist
from tracks.models import Track, Visibility

from . import services
from .models import Source

UA = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0"
SOURCES = [Source.ARTIST, Source.RELEASE, Source.TRACK, Source.SEARCH, Source.LIBRARY,
           Source.PLAYLIST, Source.EMBED, Source.HOME, Source.DIRECT]  # fmt: skip
SITES = ["https://blog.example", "https://radio-friends.example"]


def simulate_listening(*, tracks: list[Track], days: int = 60, seed: int = 7) -> int:
    """Plays of `tracks` over the last `days` days, growing towards today; returns how many
    beacons were drained. Regulars play a couple of times a track at most: the fraud caps
    see every play as counted today."""
    rng = random.Random(seed)
    playlists = list(
        Playlist.objects.filter(visibility=Visibility.PUBLIC).values_list("public_id", flat=True)
    )
    now = timezone.now()
    listener = 0
    for ago in range(days, 0, -1):
        for track in tracks:
            for _ in range(rng.randint(0, 2 + (days - ago) // 12)):
                listener += 1
                regular = rng.random() < 0.3  # 40 regulars come back; the rest pass by
                key = f"a:regular{rng.randrange(40)}" if regular else f"a:demo{listener // 3:05d}"
                source = rng.choice(SOURCES)
                context = rng.choice(playlists) if source == Source.PLAYLIST and playlists else ""
                origin = rng.choice(SITES) if source == Source.EMBED else ""
                issued = now - timedelta(days=ago, seconds=rng.randint(0, 86_000))
                heard = (track.duration or 60) * rng.choice([0.05, 0.3, 0.6, 1.0, 1.0])
                send_play(track, issued=issued, heard=heard, listener=key,
                          source=source, origin=origin, context=context)  # fmt: skip
    return drain_all()


def send_play(
    track, *, issued: datetime, heard: float, listener: str, source: str, origin="", context=""
) -> None:
    """Buffer the beacons of one play as the player sends them: a start, a progress halfway
    and an end (or a pause) after `heard` seconds, stamped from `issued` on. The radio's
    simulation sends its plays (source radio) through here too."""
    token = {"t": track.pk, "p": track.public_id, "d": track.duration, "l": listener,
             "s": source, "o": origin, "c": context,
             "i": int(issued.timestamp()), "n": uuid.uuid4().hex}  # fmt: skip
    end = "end" if heard >= (track.duration or 0) else "pause"
    for seq, (event, position) in enumerate(
        [("start", 0.0), ("progress", heard / 2), (end, heard)]
    ):
        services.buffer_beacon(
            claims=token,
            beacon={"seq": seq, "event": event, "position": position, "at": position * 1000},
            user_agent=UA,
            ip_key=f"demo{seq}{listener}",
            received=datetime.fromtimestamp(token["i"] + position + 0.2, tz=UTC),
        )


def drain_all() -> int:
    """Drain the buffer until it is empty; returns how many beacons were drained."""
    drained = 0
    while moved := services.drain_beacons():
        drained += moved
    return drained
