"""Reading a beacon's body: the pure first half of POST /beacon's checks (no token, no
database), so that it can be fuzzed on its own (tests/fuzz)."""

import json
import math

from . import counting

MAX_BODY = 2048
MAX_SEQ = 10_000
BEACON_KEYS = {"token", "seq", "event", "position", "at", "track"}


class BadBeacon(Exception):
    """The message is the 400's {"error": ...}, as it is."""


def _number(value) -> bool:
    if not isinstance(value, int | float) or isinstance(value, bool):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an int too large for a float
        return False


def read_beacon(body: bytes) -> dict:
    """The beacon in `body`, its fields checked for type and range (the token is not checked
    here); BadBeacon with the reason otherwise."""
    if len(body) > MAX_BODY:
        raise BadBeacon("Beacon too large.")
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):  # ([[[[… nested past the limit)
        raise BadBeacon("Beacon is not JSON.") from None
    if not isinstance(data, dict) or not set(data) <= BEACON_KEYS or "token" not in data:
        raise BadBeacon("Beacon has the wrong shape.")
    token, seq, event = data.get("token"), data.get("seq"), data.get("event")
    position, at = data.get("position"), data.get("at")
    if not isinstance(token, str) or not isinstance(seq, int) or isinstance(seq, bool):
        raise BadBeacon("Beacon has the wrong shape.")
    if not 0 <= seq <= MAX_SEQ or event not in counting.EVENTS:
        raise BadBeacon("Unknown event or sequence number.")
    if not (_number(position) and _number(at)) or position < 0 or not 0 <= at < 1e14:
        raise BadBeacon("Position or clock out of range.")
    return data
