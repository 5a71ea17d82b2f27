"""Signed, single-use play tokens, and the hashed keys that stand for a listener.

No raw IP address or session key leaves this module: anonymous listeners and IPs are
HMAC-SHA256 digests keyed with SECRET_KEY and the UTC day, so keys rotate daily and cannot be
reversed or linked across days.
"""

import hashlib
import hmac
import time
import uuid

from django.conf import settings
from django.core import signing
from django.utils import timezone

SALT = "analytics.play"


def _digest(value: str) -> str:
    key = f"{settings.SECRET_KEY}:{timezone.now().date().isoformat()}".encode()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()[:16]


def client_ip(request) -> str:
    """The visitor's address: behind TRUSTED_PROXY_COUNT proxies, the X-Forwarded-For entry the
    outermost trusted proxy added (entries before it are whatever the client sent)."""
    hops = settings.TRUSTED_PROXY_COUNT
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if hops and len(forwarded) >= hops and forwarded[-hops]:
        return forwarded[-hops][:64]
    return request.META.get("REMOTE_ADDR", "")


def ip_key(request) -> str:
    return _digest("ip:" + client_ip(request))


def listener_key(request) -> str:
    """`u:<id>` for a signed-in user; else a daily-rotating hash of the session (or IP + UA)."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"u:{user.pk}"
    session_key = getattr(getattr(request, "session", None), "session_key", None)
    seed = session_key or client_ip(request) + "|" + request.headers.get("User-Agent", "")
    return "a:" + _digest(seed)


def issue_play_token(*, request, track, source: str, origin: str, context: str) -> str:
    """The track's public id and duration travel in the token, so that checking a beacon
    against its track needs no database query."""
    return signing.dumps(
        {
            "t": track.pk,
            "p": track.public_id,
            "d": track.duration,
            "l": listener_key(request),
            "s": source,
            "o": origin,
            "c": context,
            "i": int(time.time()),
            "n": uuid.uuid4().hex,
        },
        salt=SALT,
        compress=True,
    )


def read_play_token(token: str) -> dict:
    """The token's claims; signing.BadSignature (SignatureExpired included) if not ours."""
    return signing.loads(token, salt=SALT, max_age=settings.PLAY_TOKEN_TTL)
