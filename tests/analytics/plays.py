"""Buffering the beacons of a play, as the player would send them."""

import uuid
from datetime import UTC, datetime

from analytics import services

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0"


def listen(
    track,
    *,
    seconds=31,
    listener="a:listener",
    ip="ip1",
    ua=FIREFOX,
    nonce=None,
    source="track",
    issued=1_700_000_000,
    resume_from=None,
    origin="",
    context="",
):
    """Buffer the beacons of one play token that heard `seconds` from the start (or, for a
    second round of the same token's beacons, from `resume_from` on)."""
    claims = {
        "t": track.pk,
        "l": listener,
        "s": source,
        "o": origin,
        "c": context,
        "i": issued,
        "n": nonce or uuid.uuid4().hex,
    }
    begin, first_seq = (0, 0) if resume_from is None else (resume_from, 3)
    steps = [("start", begin), ("progress", (begin + seconds) / 2), ("pause", seconds)]
    for seq, (event, position) in enumerate(steps, start=first_seq):
        services.buffer_beacon(
            claims=claims,
            beacon={"seq": seq, "event": event, "position": position, "at": position * 1000},
            user_agent=ua,
            ip_key=ip,
            # As if it arrived while the music played (the drain checks the server's clock).
            received=datetime.fromtimestamp(issued + position + 0.1, tz=UTC),
        )
    return claims["n"]
