"""The drain on PostgreSQL: a batch merged by set-based SQL, not by a Python loop per beacon.

The batch's JSON goes to PostgreSQL as one parameter and is unpacked there
(`json_to_recordset`) into a temporary staging table; sessions, the counting rules, verdicts,
events, rollups and listener-days are then a fixed series of INSERT … SELECT / UPDATE … FROM /
ON CONFLICT statements over the staging tables (about 20 a batch, whatever its size). The
rules are those of `counting` and `merging` (the embedded default's drain, which stays the
reference): `tests/analytics/test_sqldrain.py` drains the same random beacons both ways and
compares every row.

Statements run in the orders `merging` uses (sessions locked in nonce order, inserted in nonce
order, rollups and daily counts upserted in key order, listener keys locked by hash), so two
drains wait for each other rather than deadlock. The fraud caps depend on the order plays are
decided in: SQL decides a batch's plays at once when none comes near a cap (running counts per
listener and IP, as if every earlier play of the batch counted); otherwise the batch's plays
to decide are fetched and decided one by one by `merging.Caps`, as the embedded default does.
"""

from collections import defaultdict
from datetime import datetime, timedelta

import psycopg
from django.conf import settings
from django.db import connection

from . import listeners, merging, rollups
from .counting import FAST_FACTOR, PLAY_THRESHOLD, SERVER_SLACK, TOLERANCE
from .models import DailyCount, Metric, PlayEvent, PlayRollup, PlaySession, ReferrerRollup

EVENTS = PlayEvent._meta.db_table
SESSIONS = PlaySession._meta.db_table
RATE_LIMIT = 3600 * 1.1  # merging.Caps: nobody hears more than an hour in an hour (+10 %)

# Each step writes a new temporary table (INSERT … SELECT) rather than updating the one before:
# an UPDATE of a temporary row costs as much as writing it anew, and there would be several.
_TABLES = """
CREATE TEMP TABLE IF NOT EXISTS drain_beacon (
    ord bigint, nonce text, track_id int, listener_key text, ip_key text, source text,
    origin text, context text, issued float8, seq int, event text, position float8, at float8,
    ua text, received float8);
CREATE TEMP TABLE IF NOT EXISTS drain_seen (
    nonce text, seq int, rank int, ord bigint, event text, position float8, at float8,
    received float8, item jsonb);
CREATE TEMP TABLE IF NOT EXISTS drain_play (
    nonce text, first_ord bigint, ua text, issued float8, duration float8, taken_down bool,
    track_id int, release_id int, artist_id int, listener_key text, ip_key text, source text,
    origin text, context text, started_at timestamptz);
CREATE TEMP TABLE IF NOT EXISTS drain_old (
    nonce text, session_id bigint, beacons jsonb, ua text);
CREATE TEMP TABLE IF NOT EXISTS drain_inserted (nonce text);
CREATE TEMP TABLE IF NOT EXISTS drain_event (
    event_id bigint, nonce text, track_id int, release_id int, artist_id int,
    listener_key text, ip_key text, source text, origin text, context text,
    started_at timestamptz, heard float8, completion text, skipped_early bool, counted bool,
    counted_at timestamptz, flagged bool, flag_reason text);
CREATE TEMP TABLE IF NOT EXISTS drain_result (
    nonce text, first_ord bigint, ua text, taken_down bool, event_id bigint,
    track_id int, release_id int, artist_id int, listener_key text, ip_key text, source text,
    origin text, context text, started_at timestamptz,
    heard float8, completion text, skipped_early bool, qualifies bool,
    was_heard float8, was_completion text, was_skipped_early bool, was_counted bool,
    was_flagged bool, was_counted_at timestamptz, was_flag_reason text,
    deciding bool, reason text);
CREATE TEMP TABLE IF NOT EXISTS drain_final AS SELECT *, NULL::bool AS counted,
    NULL::bool AS flagged, NULL::timestamptz AS counted_at, NULL::text AS flag_reason,
    NULL::bool AS counted_now, NULL::bool AS changed FROM drain_result WITH NO DATA;
TRUNCATE drain_beacon, drain_seen, drain_play, drain_old, drain_inserted, drain_event,
    drain_result, drain_final;
SET LOCAL work_mem = '64MB';
"""

_STAGE = """
INSERT INTO drain_beacon
SELECT b.ord, b.n, b.t, b.l, b.ip, b.s, b.o, b.c, b.i, b.seq, b.event, b.position, b."at", b.ua,
       extract(epoch FROM b.received::timestamptz)::float8
FROM ROWS FROM (json_to_recordset(%s::json) AS (
    n text, t int, l text, ip text, s text, o text, c text, i float8, seq int, event text,
    position float8, "at" float8, ua text, received text))
    WITH ORDINALITY AS b(n, t, l, ip, s, o, c, i, seq, event, position, "at", ua, received, ord)
"""

# One row per token of a track that still exists, from its first beacon in the batch.
_PLAYS = """
INSERT INTO drain_play
SELECT DISTINCT ON (b.nonce) b.nonce, b.ord, b.ua, b.issued, t.duration,
    t.taken_down_at IS NOT NULL, b.track_id, t.release_id, t.artist_id, b.listener_key,
    b.ip_key, b.source, b.origin, b.context, to_timestamp(b.issued)
FROM drain_beacon b JOIN tracks_track t ON t.id = b.track_id
ORDER BY b.nonce, b.ord;
INSERT INTO drain_seen
SELECT b.nonce, b.seq, 1, b.ord, b.event, b.position, b.at, b.received,
    jsonb_build_array(b.seq, b.event, b.position, b.at, b.received)
FROM drain_beacon b WHERE b.nonce IN (SELECT nonce FROM drain_play);
"""

# Sessions that exist, locked in nonce order (two drains merging the same token's beacons
# would otherwise lose one's). `which` picks the batch's nonces to look for.
_LOCK = f"""
INSERT INTO drain_old
SELECT nonce, id, beacons, user_agent FROM (
    SELECT id, nonce, beacons, user_agent FROM {SESSIONS}
    WHERE nonce = ANY(ARRAY(SELECT nonce FROM drain_play {{which}}))
    ORDER BY nonce FOR UPDATE) AS locked
"""
_NOT_FOUND = """WHERE nonce NOT IN (SELECT nonce FROM drain_old)
    AND nonce NOT IN (SELECT nonce FROM drain_inserted)"""

# The beacons a session keeps: one per seq, the first received wins (those it had before
# this batch, rank 0, then the batch's in arrival order), in the order they were received.
# Aggregates read them from a sorted subquery rather than with an ORDER BY of their own, which
# PostgreSQL 15 honours with one sort per token (a third of the batch's time); the seconds
# heard are added in seq order by a running window sum, which is defined to be in order.
_KEPT = """
SELECT DISTINCT ON (nonce, seq) nonce, seq, rank, ord, {columns} FROM drain_seen {where}
ORDER BY nonce, seq, rank, ord
"""
_STEPS = "event, position, at, received"
_NEW = "WHERE nonce NOT IN (SELECT nonce FROM drain_old)"
_OLD = "WHERE nonce IN (SELECT nonce FROM drain_old)"

# New sessions with the batch's beacons, in nonce order; a nonce another drain inserted
# meanwhile is skipped here, then locked and merged as an existing session.
_INSERT_SESSIONS = f"""
WITH inserted AS (
    INSERT INTO {SESSIONS} (nonce, track_id, user_agent, beacons, updated_at)
    SELECT p.nonce, p.track_id, p.ua, k.beacons, %s
    FROM drain_play p JOIN (
        SELECT nonce, jsonb_agg(item) AS beacons FROM (
            SELECT nonce, item FROM ({_KEPT.format(columns="item", where=_NEW)}) kept
            ORDER BY nonce, ord) AS sorted
        GROUP BY nonce) k ON k.nonce = p.nonce
    ORDER BY p.nonce
    ON CONFLICT (nonce) DO NOTHING RETURNING nonce)
INSERT INTO drain_inserted SELECT nonce FROM inserted
"""

_MERGE_SESSIONS = f"""
INSERT INTO drain_seen
SELECT o.nonce, (x.item->>0)::int, 0, x.o, x.item->>1, (x.item->>2)::float8,
    (x.item->>3)::float8, coalesce((x.item->>4)::float8, 0), x.item
FROM drain_old o, jsonb_array_elements(o.beacons) WITH ORDINALITY AS x(item, o);
UPDATE {SESSIONS} s SET beacons = m.beacons, updated_at = %s
FROM (
    SELECT nonce, jsonb_agg(item) AS beacons, bool_or(rank = 1) AS added FROM (
        SELECT nonce, rank, item FROM ({_KEPT.format(columns="item", where=_OLD)}) kept
        ORDER BY nonce, rank, ord) AS sorted
    GROUP BY nonce) m, drain_old o
WHERE m.added AND o.nonce = m.nonce AND s.id = o.session_id;
INSERT INTO drain_event
SELECT id, nonce, track_id, release_id, artist_id, listener_key, ip_key, source, origin,
    context, started_at, heard_seconds, completion, skipped_early, counted, counted_at,
    flagged, flag_reason
FROM {EVENTS} WHERE nonce = ANY(ARRAY(SELECT nonce FROM drain_old));
"""

# merging.Caps's bot markers, matched without regard to ASCII case only: [Bb][Oo][Tt]|… (the
# markers are ASCII, and no other character that Python lowers completes one; lower() and ~*
# would fold more than Python does, by the database's locale).
_BOT = "|".join(
    "".join(f"[{c}{c.upper()}]" if c.isalpha() else c for c in marker)
    for marker in merging.BOT_MARKERS
)

# Per token, over the beacons its session keeps: counting.listening (seconds really played
# between consecutive beacons by seq, added in seq order; capped by the server's clock;
# rounded to the millisecond; the threshold, completion, early skip), the event it had
# (its fields, before this batch), whether its verdict is decided now, and the reasons to
# flag it that do not depend on other plays.
_RESULT = f"""
INSERT INTO drain_result
SELECT p.nonce, p.first_ord, coalesce(o.ua, p.ua), p.taken_down, e.event_id,
    coalesce(e.track_id, p.track_id),
    CASE WHEN e.event_id IS NULL THEN p.release_id ELSE e.release_id END,
    coalesce(e.artist_id, p.artist_id), coalesce(e.listener_key, p.listener_key),
    coalesce(e.ip_key, p.ip_key), coalesce(e.source, p.source), coalesce(e.origin, p.origin),
    coalesce(e.context, p.context), coalesce(e.started_at, p.started_at),
    l.heard, l.completion, l.skipped AND NOT l.qualifies, l.qualifies,
    e.heard, e.completion, e.skipped_early, e.counted, e.flagged, e.counted_at, e.flag_reason,
    d.deciding, CASE WHEN NOT d.deciding THEN NULL
        WHEN p.taken_down THEN 'track taken down'
        WHEN coalesce(o.ua, p.ua, '') = '' OR coalesce(o.ua, p.ua) ~ '{_BOT}'
            THEN 'bot user agent' END
    FROM drain_play p
    JOIN (
        SELECT h.nonce, h.heard, h.skipped,
            h.heard + {TOLERANCE}::float8 >= CASE WHEN coalesce(h.duration, 0) <> 0
                THEN least({PLAY_THRESHOLD}::float8, h.duration)
                ELSE {PLAY_THRESHOLD}::float8 END AS qualifies,
            CASE WHEN coalesce(h.duration, 0) = 0 THEN 'partial'
                WHEN h.heard / h.duration >= 0.9::float8 THEN 'complete'
                WHEN h.heard / h.duration < 0.1::float8 THEN 'skip' ELSE 'partial' END
                AS completion
        FROM (
            SELECT c.nonce, c.skipped, p.duration, floor(CASE
                WHEN p.issued <> 0 AND c.arrived <> 0 THEN least(c.heard,
                    greatest(0::float8, c.arrived - p.issued) + {SERVER_SLACK}::float8)
                ELSE c.heard END * 1000 + 0.5::float8) / 1000 AS heard
            FROM (
                SELECT nonce, coalesce(max(heard) FILTER (WHERE last), 0::float8) AS heard,
                    max(received) AS arrived, bool_or(event = 'skip') AS skipped
                FROM (
                SELECT nonce, event, received,
                    sum(step) OVER (w ROWS UNBOUNDED PRECEDING) AS heard,
                    lead(seq) OVER w IS NULL AS last
                FROM (
                    SELECT nonce, seq, event, received, CASE
                        WHEN previous IS NULL THEN NULL
                        WHEN previous IN ('pause', 'end', 'skip') OR event = 'seek'
                            THEN 0::float8
                        WHEN moved < 0 OR elapsed < 0 OR moved >
                            elapsed * {FAST_FACTOR}::float8 + {TOLERANCE}::float8 THEN 0::float8
                        ELSE least(moved, elapsed) END AS step
                    FROM (
                        SELECT nonce, seq, event, received, lag(event) OVER w AS previous,
                            position - lag(position) OVER w AS moved,
                            (at - lag(at) OVER w) / 1000::float8 AS elapsed
                        FROM ({_KEPT.format(columns=_STEPS, where="")}) kept
                        WINDOW w AS (PARTITION BY nonce ORDER BY seq)) pairs) steps
                WINDOW w AS (PARTITION BY nonce ORDER BY seq)) AS running
                GROUP BY nonce) c JOIN drain_play p ON p.nonce = c.nonce) h) l
        ON l.nonce = p.nonce
    LEFT JOIN drain_old o ON o.nonce = p.nonce
    LEFT JOIN drain_event e ON e.nonce = p.nonce,
    LATERAL (SELECT
        l.qualifies AND NOT (coalesce(e.counted, false) OR coalesce(e.flagged, false))
            AS deciding) AS d
"""

# Plays that could meet a cap if every earlier play of the batch counted (merging.Caps):
# counted plays today per (track, listener) and (track, IP), seconds heard in the last hour
# per listener, plus the batch's earlier plays. None: every play to decide counts.
_NEAR_CAPS = f"""
WITH c AS (SELECT * FROM drain_result WHERE deciding AND reason IS NULL),
per_listener AS (
    SELECT track_id, listener_key,
        count(*) FILTER (WHERE counted_at >= %(midnight)s) AS today,
        sum(heard_seconds) FILTER (WHERE counted_at >= %(hour_ago)s) AS heard
    FROM {EVENTS}
    WHERE counted AND counted_at < %(tomorrow)s AND counted_at >= %(since)s
        AND listener_key = ANY(ARRAY(SELECT DISTINCT listener_key FROM c))
    GROUP BY 1, 2),
heard AS (SELECT listener_key, sum(heard) AS heard FROM per_listener GROUP BY 1),
per_ip AS (
    SELECT track_id, ip_key, count(*) AS today FROM {EVENTS}
    WHERE counted AND counted_at < %(tomorrow)s AND counted_at >= %(midnight)s
        AND ip_key = ANY(ARRAY(SELECT DISTINCT ip_key FROM c WHERE ip_key <> ''))
    GROUP BY 1, 2)
SELECT count(*) FROM (
    SELECT c.ip_key, c.heard,
        coalesce(l.today, 0) + row_number() OVER (
            PARTITION BY c.track_id, c.listener_key ORDER BY c.first_ord) - 1 AS by_listener,
        coalesce(i.today, 0) + row_number() OVER (
            PARTITION BY c.track_id, c.ip_key ORDER BY c.first_ord) - 1 AS by_ip,
        coalesce(h.heard, 0) + coalesce(sum(c.heard) OVER (
            PARTITION BY c.listener_key ORDER BY c.first_ord
            ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS heard_before
    FROM c LEFT JOIN per_listener l ON (l.track_id, l.listener_key) = (c.track_id, c.listener_key)
    LEFT JOIN heard h ON h.listener_key = c.listener_key
    LEFT JOIN per_ip i ON (i.track_id, i.ip_key) = (c.track_id, c.ip_key)) x
WHERE by_listener >= %(per_listener)s OR (ip_key <> '' AND by_ip >= %(per_ip)s)
    OR heard_before + heard > %(rate)s - 1
"""

# Verdicts: plays deciding now count unless a reason flags them; the others keep theirs.
_FINAL = """
INSERT INTO drain_final
SELECT r.*, f.counted, f.flagged, f.counted_at, f.flag_reason, r.deciding AND f.counted,
    r.event_id IS NULL OR (r.heard, r.completion, r.skipped_early, f.counted, f.flagged)
        IS DISTINCT FROM (r.was_heard, r.was_completion, r.was_skipped_early, r.was_counted,
            r.was_flagged)
FROM drain_result r, LATERAL (SELECT
    CASE WHEN r.deciding THEN r.reason IS NULL ELSE coalesce(r.was_counted, false) END
        AS counted,
    CASE WHEN r.deciding THEN r.reason IS NOT NULL ELSE coalesce(r.was_flagged, false) END
        AS flagged,
    CASE WHEN NOT r.deciding THEN r.was_counted_at WHEN r.reason IS NULL THEN %s::timestamptz
        END AS counted_at,
    CASE WHEN r.deciding THEN coalesce(r.reason, '') ELSE coalesce(r.was_flag_reason, '') END
        AS flag_reason) AS f
"""

_WRITE_EVENTS = f"""
INSERT INTO {EVENTS} (nonce, track_id, release_id, artist_id, listener_key, ip_key, source,
    origin, context, started_at, heard_seconds, counted, counted_at, completion, skipped_early,
    flagged, flag_reason)
SELECT nonce, track_id, release_id, artist_id, listener_key, ip_key, source, origin, context,
    started_at, heard, counted, counted_at, completion, skipped_early, flagged, flag_reason
FROM drain_final WHERE event_id IS NULL ORDER BY first_ord;
UPDATE {EVENTS} e SET heard_seconds = p.heard, completion = p.completion,
    skipped_early = p.skipped_early, counted = p.counted, counted_at = p.counted_at,
    flagged = p.flagged, flag_reason = p.flag_reason
FROM drain_final p
WHERE p.changed AND p.event_id IS NOT NULL AND e.id = p.event_id AND e.started_at = p.started_at
    -- an index condition whatever the planner guesses of the temporary table's size
    AND e.id = ANY(ARRAY(SELECT event_id FROM drain_final WHERE changed AND event_id IS NOT NULL))
"""

# rollups.apply_changes: each changed event's contribution before (−) and after (+); flagged
# events contribute nothing.
_CONTRIBUTIONS = """
SELECT track_id, release_id, artist_id, started_at, source, origin, context, -1 AS sign,
    was_counted AS counted, was_completion AS completion, was_skipped_early AS early,
    was_heard AS heard
FROM drain_final WHERE changed AND event_id IS NOT NULL AND NOT was_flagged
UNION ALL
SELECT track_id, release_id, artist_id, started_at, source, origin, context, 1, counted,
    completion, skipped_early, heard
FROM drain_final WHERE changed AND NOT flagged
"""
_SCOPES = (
    "LATERAL (VALUES ('t', c.track_id), ('r', c.release_id), ('a', c.artist_id)) AS k(scope, id)"
)
_ROLLUP_SUMS = ("streams", "plays", "complete", "partial", "skip", "early_skips", "heard_seconds")
_ROLLUPS = f"""
INSERT INTO {PlayRollup._meta.db_table} (scope, scope_id, grain, bucket, source, streams,
    plays, complete, partial, skip, early_skips, heard_seconds)
SELECT k.scope, k.id, g.grain, g.bucket, c.source, sum(sign), sum(sign * counted::int),
    sum(sign * (completion = 'complete')::int), sum(sign * (completion = 'partial')::int),
    sum(sign * (completion = 'skip')::int), sum(sign * early::int), sum(sign * heard)
FROM ({_CONTRIBUTIONS}) c, {_SCOPES}, LATERAL (VALUES
    ('h', date_trunc('hour', c.started_at, 'UTC')),
    ('d', date_trunc('day', c.started_at, 'UTC')),
    ('m', date_trunc('month', c.started_at, 'UTC'))) AS g(grain, bucket)
WHERE k.id IS NOT NULL
GROUP BY 1, 2, 3, 4, 5
HAVING {
    " OR ".join(
        f"sum(sign * {e}) <> 0"
        for e in (
            "1",
            "counted::int",
            "(completion = 'complete')::int",
            "(completion = 'partial')::int",
            "(completion = 'skip')::int",
            "early::int",
            "heard",
        )
    )
}
ORDER BY 1, 2, 3, 4, 5
ON CONFLICT (scope, scope_id, grain, bucket, source) DO UPDATE SET
    {", ".join(f"{m} = {PlayRollup._meta.db_table}.{m} + excluded.{m}" for m in _ROLLUP_SUMS)};
INSERT INTO {ReferrerRollup._meta.db_table} (scope, scope_id, day, kind, ref, streams, plays)
SELECT k.scope, k.id, r.day, r.kind, r.ref, sum(sign), sum(sign * counted::int)
FROM (
    SELECT c.*, (started_at AT TIME ZONE 'UTC')::date AS day,
        CASE WHEN source IN ('playlist', 'own-playlist') AND context <> '' THEN 'playlist'
             WHEN source = 'embed' AND origin <> '' THEN 'site' END AS kind,
        CASE WHEN source IN ('playlist', 'own-playlist') AND context <> '' THEN context
             ELSE origin END AS ref
    FROM ({_CONTRIBUTIONS}) c) r, LATERAL (VALUES ('t', r.track_id), ('r', r.release_id),
        ('a', r.artist_id)) AS k(scope, id)
WHERE k.id IS NOT NULL AND r.kind IS NOT NULL
GROUP BY 1, 2, 3, 4, 5
HAVING sum(sign) <> 0 OR sum(sign * counted::int) <> 0
ORDER BY 1, 2, 3, 4, 5
ON CONFLICT (scope, scope_id, day, kind, ref) DO UPDATE SET
    streams = {ReferrerRollup._meta.db_table}.streams + excluded.streams,
    plays = {ReferrerRollup._meta.db_table}.plays + excluded.plays
"""

# listeners.record: listener-days of plays counted now that no earlier counted play of the
# same listener had (per scope), added to the daily counts; every key into its day's sketch.
_LISTENER_DAYS = f"""
CREATE TEMP TABLE IF NOT EXISTS drain_listener (scope text, id int, day date, key text);
CREATE TEMP TABLE IF NOT EXISTS drain_listened (scope text, id int, day date, key text);
TRUNCATE drain_listener, drain_listened;
INSERT INTO drain_listener
SELECT DISTINCT k.scope, k.id, (c.started_at AT TIME ZONE 'UTC')::date, c.listener_key
FROM drain_final c, {_SCOPES} WHERE c.counted_now AND k.id IS NOT NULL;
SELECT pg_advisory_xact_lock(h) FROM (
    SELECT DISTINCT hashtext(key) AS h FROM drain_listener ORDER BY 1) AS keys;
INSERT INTO drain_listened
SELECT DISTINCT k.scope, k.id, c.day, c.key
FROM (SELECT DISTINCT key, day FROM drain_listener) c, LATERAL (
    SELECT track_id, release_id, artist_id FROM {EVENTS}
    WHERE listener_key = c.key AND counted
        AND nonce NOT IN (SELECT nonce FROM drain_final WHERE counted_now)
        AND (started_at AT TIME ZONE 'UTC')::date = c.day  -- not a range: the key's index
    OFFSET 0) AS e,  -- not flattened into a join: one index probe per listener and day
    LATERAL (VALUES ('t', e.track_id), ('r', e.release_id), ('a', e.artist_id)) AS k(scope, id)
WHERE k.id IS NOT NULL;
INSERT INTO {DailyCount._meta.db_table} (scope, scope_id, metric, day, value)
SELECT n.scope, n.id, '{Metric.LISTENERS}', n.day, count(*) FROM drain_listener n
WHERE NOT EXISTS (SELECT 1 FROM drain_listened s
    WHERE (s.scope, s.id, s.day, s.key) = (n.scope, n.id, n.day, n.key))
GROUP BY n.scope, n.id, n.day
ORDER BY 1, 2, 4
ON CONFLICT (scope, scope_id, metric, day) DO UPDATE SET
    value = {DailyCount._meta.db_table}.value + excluded.value
"""


def merge(beacons_json: str, *, now: datetime) -> None:
    """Merge a batch (a JSON array of buffered beacons) into sessions, events, rollups and
    listeners. Call in a transaction, on PostgreSQL."""
    with connection.cursor() as cursor:
        cursor.execute(_TABLES)
        # Bound server-side: megabytes of JSON travel as one text parameter, not quoted into
        # the SQL by Django's client-side binding.
        with psycopg.Cursor(connection.connection) as raw:
            raw.execute(_STAGE, [beacons_json])
        cursor.execute(_PLAYS)
        cursor.execute("SELECT count(*) FROM drain_play")
        (plays,) = cursor.fetchone()
        if not plays:
            return
        cursor.execute(_LOCK.format(which=""))
        existed = cursor.rowcount
        if existed < plays:
            cursor.execute(_INSERT_SESSIONS, [now])
            if existed + cursor.rowcount < plays:  # inserted by another drain meanwhile
                cursor.execute(_LOCK.format(which=_NOT_FOUND))
                existed += cursor.rowcount
        if existed:
            cursor.execute(_MERGE_SESSIONS, [now])
        cursor.execute(_RESULT)
        cursor.execute(
            "SELECT count(*) FILTER (WHERE reason IS NULL) FROM drain_result WHERE deciding"
        )
        if cursor.fetchone()[0]:
            _decide(cursor, now)
        cursor.execute(_FINAL, [now])
        cursor.execute(_WRITE_EVENTS)
        cursor.execute("SELECT count(*) FROM drain_final WHERE counted_now")
        if cursor.fetchone()[0]:
            cursor.execute(_LISTENER_DAYS)
            cursor.execute("SELECT scope, id, day, key FROM drain_listener")
            added = defaultdict(list)
            for scope, scope_id, day, key in cursor.fetchall():
                added[(scope, scope_id, day)].append(key)
            listeners._add_to_sketches(cursor, added)
        cursor.execute(_ROLLUPS)


def _decide(cursor, now: datetime) -> None:
    """Flag the plays reaching the threshold now that a cap stops: none, unless one comes
    near a cap; then all of the batch's, one at a time in order, as merging does."""
    midnight = rollups.day_of(now)
    hour_ago = now - timedelta(hours=1)
    cursor.execute(
        _NEAR_CAPS,
        {
            "midnight": midnight,
            "hour_ago": hour_ago,
            "since": min(midnight, hour_ago),
            "tomorrow": midnight + timedelta(days=1),
            "per_listener": settings.PLAY_CAP_PER_LISTENER,
            "per_ip": settings.PLAY_CAP_PER_IP,
            "rate": RATE_LIMIT,
        },
    )
    if not cursor.fetchone()[0]:
        return
    cursor.execute(
        "SELECT nonce, track_id, listener_key, ip_key, heard, ua, taken_down FROM drain_result"
        " WHERE deciding ORDER BY first_ord"
    )
    rows = [_Play(*row) for row in cursor.fetchall()]
    caps = merging.Caps.load(events=rows, now=now)
    reasons = []
    for play in rows:
        reason = (
            "track taken down"
            if play.taken_down
            else caps.flag_reason(event=play, user_agent=play.ua or "")
        )
        if not reason:
            caps.add(play)
        reasons.append(reason or None)
    cursor.execute(
        "UPDATE drain_result r SET reason = v.reason FROM unnest(%s::text[], %s::text[])"
        " AS v(nonce, reason) WHERE r.nonce = v.nonce",
        [[play.nonce for play in rows], reasons],
    )


class _Play:
    """A play to decide, shaped as merging.Caps reads an event."""

    __slots__ = ("heard_seconds", "ip_key", "listener_key", "nonce", "taken_down", "track_id", "ua")

    def __init__(self, nonce, track_id, listener_key, ip_key, heard, ua, taken_down) -> None:
        self.nonce, self.track_id, self.taken_down, self.ua = nonce, track_id, taken_down, ua
        self.listener_key, self.ip_key, self.heard_seconds = listener_key, ip_key, heard
