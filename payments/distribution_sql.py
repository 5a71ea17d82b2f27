"""The SQL of the monthly supporter distribution (payments/distribution.py): the pools, the
one PostgreSQL statement that computes and writes every played supporter's parts, the
fallback's insert and the radio's weights. Its shape and figures: tests/bench/README.md,
"Supporters"."""

# Pools of the month not shared out by an earlier run, per (fan, currency), in the currencies
# to distribute; `key` numbers each
# (fan, currency) with an integer, so the statement below sorts and groups on integers only.
POOLS_SQL = """
    SELECT MIN(id) AS key, fan_id, currency, SUM(pool) AS pool FROM payments_supportermonth
    WHERE month = %(month)s AND pool > 0 AND run IS NULL AND currency IN ({currencies})
    GROUP BY fan_id, currency
"""

# PostgreSQL: the pools as a table with statistics, so the planner hashes the 100,000
# supporters rather than the 10 million plays (from a subquery it guessed 200 supporters and
# chose 100,000 index scans, or hashed the plays: measured 2-3 times slower).
POOLS_TABLE_SQL = """
    CREATE TEMPORARY TABLE supporter_pools ON COMMIT DROP AS
    SELECT key, fan_id, currency, CAST(pool AS bigint) AS pool, 'u:' || fan_id AS listener_key
    FROM ({pools}) o
"""

# Every supporter's capped plays per artist, then each pool split by splitting.allocate's rule:
# floors of pool × plays / total, the units left over one each to the largest remainders, ties
# to the lower artist id (allocate's earlier position). One SupporterAllocation row per (fan,
# currency) is written, and the parts are summed per artist for the ledger, in one statement.
# Its shape was measured (tests/bench/README.md, "Supporters"): the plays sorted once by (fan,
# artist) so that the aggregate, the per-fan total and the per-fan ranking by remainder
# (an incremental sort of each fan's ~90 rows) need no further full sort; integers throughout
# (a bigint SUM would be numeric); integer arrays rather than rows or jsonb.
SHARES_SQL = """
    WITH weights AS (
        SELECT key, artist_id, MIN(pool) AS pool, CAST(LEAST(COUNT(*), %(cap)s) AS int) AS plays
        FROM (
            SELECT s.key, s.pool, p.artist_id
            FROM analytics_playevent p
            JOIN supporter_pools s ON p.listener_key = s.listener_key
            JOIN artists_artist a ON a.id = p.artist_id
            WHERE p.counted AND NOT p.flagged
              AND p.started_at >= %(start)s AND p.started_at < %(end)s
            ORDER BY s.key, p.artist_id
        ) played
        GROUP BY key, artist_id
    ),
    exact AS (
        SELECT key, artist_id, plays, pool,
            CAST(pool * plays / total AS int) AS part, pool * plays %% total AS remainder
        FROM (SELECT w.*, SUM(plays) OVER (PARTITION BY key) AS total FROM weights w) t
    ),
    ranked AS (
        SELECT e.*, ROW_NUMBER() OVER fan AS position, pool - SUM(part) OVER fan AS left_over
        FROM exact e
        WINDOW fan AS (
            PARTITION BY key ORDER BY remainder DESC, artist_id
            ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
        )
    ),
    fans AS (
        SELECT key, CAST(SUM(amount) AS int) AS pool, array_agg(artist_id) AS artist_ids,
            array_agg(amount) AS amounts, array_agg(plays) AS plays
        FROM (
            SELECT key, artist_id, plays,
                part + CASE WHEN position <= left_over THEN 1 ELSE 0 END AS amount
            FROM ranked
        ) parts
        WHERE amount > 0
        GROUP BY key
    ),
    written AS (
        INSERT INTO payments_supporterallocation
            (month, run, fan_id, currency, pool, fallback, artist_ids, amounts, plays)
        SELECT %(month)s, %(run)s, s.fan_id, s.currency, f.pool, false, f.artist_ids, f.amounts,
            f.plays
        FROM fans f JOIN supporter_pools s ON s.key = f.key
    )
    SELECT s.currency, u.artist_id, SUM(u.amount), COUNT(*)
    FROM fans f JOIN supporter_pools s ON s.key = f.key,
        unnest(f.artist_ids, f.amounts) AS u (artist_id, amount)
    GROUP BY s.currency, u.artist_id
"""

# The fallback's split of one (currency, pool), written for every fan who played nobody.
FALLBACK_SQL = """
    INSERT INTO payments_supporterallocation
        (month, run, fan_id, currency, pool, fallback, artist_ids, amounts, plays)
    SELECT %(month)s, %(run)s, o.fan_id, o.currency, o.pool, %(yes)s, %(artist_ids)s, %(amounts)s,
        %(plays)s
    FROM ({pools}) o
    WHERE o.pool = %(pool)s AND o.currency = %(currency)s AND NOT EXISTS (
        SELECT 1 FROM payments_supporterallocation s
        WHERE s.month = %(month)s AND s.run = %(run)s AND s.fan_id = o.fan_id
            AND s.currency = o.currency)
"""

RADIO_SQL = """
    SELECT p.artist_id, COUNT(*)
    FROM analytics_playevent p JOIN artists_artist a ON a.id = p.artist_id
    WHERE p.counted AND NOT p.flagged AND p.source = 'radio'
      AND p.started_at >= %(start)s AND p.started_at < %(end)s
    GROUP BY p.artist_id ORDER BY p.artist_id
"""

# The month's money shared out by this run: each fan's rows that got an allocation row.
MARK_RUN_SQL = """
    UPDATE payments_supportermonth m SET run = %(run)s
    WHERE m.month = %(month)s AND m.run IS NULL AND m.pool > 0 AND m.currency IN ({currencies})
      AND EXISTS (SELECT 1 FROM payments_supporterallocation s
        WHERE s.month = %(month)s AND s.run = %(run)s AND s.fan_id = m.fan_id
            AND s.currency = m.currency)
"""
