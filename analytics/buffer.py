"""Where beacons wait for the drain: a Redis stream on the full stack, else a database table.

At least once. The drain reads a batch through a consumer group (XREADGROUP), merges it in one
database transaction and only then acknowledges and deletes it (XACK + XDEL). Entries read but
never acknowledged — the drain crashed, or was killed, between reading and committing — stay
pending in the group: the same process re-reads its own pending entries first, and any drain
claims entries another consumer left idle longer than BEACON_REDELIVER_AFTER (XAUTOCLAIM). The
drain is idempotent, so delivering a beacon twice changes nothing.

If Redis is configured but unreachable, the beacon goes to the table instead (marked
`via_fallback`, logged, and added to that day's `FallbackDay` count, which outlives the
drain), so the beacon endpoint never fails because of Redis. The drain reads both; the table
is popped inside the drain's transaction, so a crash there rolls the pop back.
"""

import contextlib
import functools
import json
import logging
import os
import socket
import threading
from dataclasses import dataclass, field

import redis
from django.conf import settings
from django.db import connection
from django.db.models import Sum
from django.utils import timezone

from .models import BufferedBeacon, FallbackDay

GROUP = "drain"
log = logging.getLogger(__name__)


class Beacons:
    """A batch's beacons as the JSON they were buffered as, parsed only when iterated: the
    PostgreSQL drain hands the whole array to the database as one parameter (`as_json`).
    `parts`: JSON objects, or runs of them joined by commas; `count`: how many objects."""

    def __init__(self, parts: list[bytes] | None = None, count: int = 0) -> None:
        self.parts, self.count = parts or [], count

    def add(self, part: bytes, count: int) -> None:
        if count:
            self.parts.append(part)
            self.count += count

    def as_json(self) -> str:
        return "[" + b",".join(self.parts).decode() + "]"

    def __len__(self) -> int:
        return self.count

    def __iter__(self):
        return iter(json.loads(self.as_json()))


@dataclass
class Batch:
    """Beacons taken for one drain transaction, and the stream ids to acknowledge after it."""

    entries: Beacons = field(default_factory=Beacons)
    stream_ids: list[bytes] = field(default_factory=list)


@functools.lru_cache(maxsize=4)
def _client(url: str) -> redis.Redis:
    """One connection pool per URL and process (short timeouts: a beacon never waits long)."""
    return redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5)


def _redis() -> redis.Redis | None:
    return _client(settings.REDIS_URL) if settings.REDIS_URL else None


def key() -> str:
    return settings.BEACON_STREAM_KEY


def consumer() -> str:
    """This process's name in the consumer group (a restarted process is a new consumer)."""
    return f"{socket.gethostname()}:{os.getpid()}"


_local = threading.local()


def _own_connection(client: redis.Redis) -> redis.Connection:
    """This thread's own connection to `client`'s server, for `push` only. Going through the
    pool costs ~20 µs of CPU more per command (it checks every connection it hands out for
    unread data), a good part of what /beacon costs beyond a trivial view."""
    owned = _local.__dict__.setdefault("connections", {})
    pool = client.connection_pool
    known, connection = owned.get(id(pool), (None, None))
    # Not one made for another pool that had the same id, nor one inherited from a fork.
    if known is not pool or connection.pid != os.getpid():
        connection = pool.connection_class(**pool.connection_kwargs)
        owned[id(pool)] = (pool, connection)
    return connection


def _append(client: redis.Redis, payload: str) -> None:
    """XADD one entry; a dropped connection (Redis restarted) is reopened once."""
    connection = _own_connection(client)
    command = connection.pack_command("XADD", key(), "*", "b", payload)
    for attempt in (1, 2):
        try:
            connection.send_packed_command(command, check_health=False)
            connection.read_response()
            return
        except (redis.ConnectionError, redis.TimeoutError):
            connection.disconnect()
            if attempt == 2:
                raise


def push(entry: dict) -> None:
    client = _redis()
    if client is not None:
        try:
            _append(client, json.dumps(entry))
            return
        except redis.RedisError:
            log.warning("analytics buffer: Redis unreachable, beacon kept in the database")
    BufferedBeacon.objects.create(payload=entry, via_fallback=client is not None)
    if client is not None:
        _count_fallback()


def _count_fallback() -> None:
    table = FallbackDay._meta.db_table
    sql = (
        f"INSERT INTO {table} (day, beacons) VALUES (%s, 1)"
        f" ON CONFLICT (day) DO UPDATE SET beacons = {table}.beacons + 1"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [connection.ops.adapt_datefield_value(timezone.now().date())])


def _ensure_group(client: redis.Redis) -> None:
    try:
        client.xgroup_create(key(), GROUP, id="0", mkstream=True)
    except redis.ResponseError as error:
        if "BUSYGROUP" not in str(error):
            raise


# Up to ARGV[3] entries: this consumer's pending ones, then ones other consumers left idle for
# ARGV[4] ms, then new ones; returned as two strings (ids joined by spaces, payloads by commas)
# rather than thousands of nested replies for the client to parse. An entry deleted while
# pending has no fields: its id is returned (acknowledged again, harmlessly), no payload.
_READ = """
local stream, group, name = KEYS[1], ARGV[1], ARGV[2]
local size, idle = tonumber(ARGV[3]), ARGV[4]
local ids, payloads = {}, {}
local function take(entries)
  for _, entry in ipairs(entries) do
    ids[#ids + 1] = entry[1]
    local fields = entry[2]
    if fields and fields[2] then payloads[#payloads + 1] = fields[2] end
  end
end
local reply = redis.call('XREADGROUP', 'GROUP', group, name, 'COUNT', size, 'STREAMS', stream, '0')
if reply then take(reply[1][2]) end
if #ids < size then
  take(redis.call('XAUTOCLAIM', stream, group, name, idle, '0-0', 'COUNT', size - #ids)[2])
end
if #ids < size then
  reply = redis.call('XREADGROUP', 'GROUP', group, name, 'COUNT', size - #ids,
                     'STREAMS', stream, '>')
  if reply then take(reply[1][2]) end
end
return {table.concat(ids, ' '), table.concat(payloads, ','), #payloads}
"""

# XACK + XDEL of the ids in ARGV[2] (space-separated), atomically; unpack in chunks (Lua's
# stack is limited).
_ACK = """
local ids = {}
for id in string.gmatch(ARGV[2], '%S+') do ids[#ids + 1] = id end
for start = 1, #ids, 1000 do
  local chunk = {unpack(ids, start, math.min(start + 999, #ids))}
  redis.call('XACK', KEYS[1], ARGV[1], unpack(chunk))
  redis.call('XDEL', KEYS[1], unpack(chunk))
end
return #ids
"""


def _read_stream(client: redis.Redis, size: int) -> tuple[list[bytes], bytes, int]:
    """Up to `size` entries: their ids, their payloads joined by commas, how many payloads."""
    _ensure_group(client)
    idle_ms = int(settings.BEACON_REDELIVER_AFTER * 1000)
    ids, payloads, count = client.eval(_READ, 1, key(), GROUP, consumer(), size, idle_ms)
    return ids.split(), payloads, count


def take(size: int) -> Batch:
    """Up to `size` beacons (Redis first, then the table). Call in the drain's transaction and
    `ack` the batch after it commits."""
    batch = Batch()
    client = _redis()
    if client is not None:
        try:
            batch.stream_ids, payloads, count = _read_stream(client, size)
            batch.entries.add(payloads, count)
        except redis.RedisError:
            log.warning("analytics buffer: Redis unreachable, draining the database only")
    room = size - len(batch.entries)
    rows = BufferedBeacon.objects.select_for_update(skip_locked=True).order_by("id")
    rows = list(rows.values_list("id", "payload")[:room]) if room > 0 else []
    if rows:
        BufferedBeacon.objects.filter(id__in=[row_id for row_id, _ in rows]).delete()
    for _, payload in rows:
        batch.entries.add(json.dumps(payload).encode(), 1)
    return batch


def ack(batch: Batch) -> None:
    """Forget a drained batch's stream entries. Only after the drain's transaction committed:
    if this fails, the entries are delivered again, which the drain shrugs off."""
    client = _redis()
    if client is None or not batch.stream_ids:
        return
    try:
        client.eval(_ACK, 1, key(), GROUP, b" ".join(batch.stream_ids))
    except redis.RedisError:
        log.warning(
            "analytics buffer: could not acknowledge a drained batch; it will be redelivered"
        )


def waiting() -> int:
    """Beacons not drained yet: in the stream (read or not) and in the table."""
    client = _redis()
    in_stream = 0
    if client is not None:
        with contextlib.suppress(redis.RedisError):
            in_stream = client.xlen(key())
    return in_stream + BufferedBeacon.objects.count()


def in_flight() -> int:
    """Stream entries read by a drain and not acknowledged yet."""
    client = _redis()
    try:
        return client.xpending(key(), GROUP)["pending"] if client is not None else 0
    except redis.ResponseError:  # no stream or group yet
        return 0


def fallback_count() -> int:
    """Beacons that ever landed in the table because Redis was down (kept after draining)."""
    return FallbackDay.objects.aggregate(n=Sum("beacons"))["n"] or 0
