-- Sessions: one row per session_id in the `sessions` view, built from events as they are inserted.
--
-- Events arrive once: the ingest sink drops event_ids that are already stored BEFORE inserting, so
-- the materialized view below sees every event exactly once. (It fires on INSERT, not on merge, so
-- the ReplacingMergeTree dedup of `events` cannot help here: without the sink's dedup a redelivered
-- event would be counted twice.)
--
-- Storage: `sessions_agg` holds partial aggregates (AggregateFunction states) per (event_date,
-- session_id); a session spanning midnight or several insert batches has several rows until merges
-- combine them, and always one row per day. Analysts query the `sessions` view, which merges the
-- states per session_id and is always exact. Must run on ClickHouse 18.16 and current releases.
CREATE TABLE IF NOT EXISTS sessions_agg
(
    event_date                 Date COMMENT 'UTC day of the events aggregated in this row',
    session_id                 String COMMENT 'browsing session id as sent by the client',
    user_id_state              AggregateFunction(max, String) COMMENT 'logged-in shopper id; the greatest when several, empty when none',
    anonymous_id_state         AggregateFunction(max, String) COMMENT 'device or cookie id; the greatest when several, empty when none',
    started_at_state           AggregateFunction(min, DateTime('UTC')) COMMENT 'earliest event_time',
    ended_at_state             AggregateFunction(max, DateTime('UTC')) COMMENT 'latest event_time',
    events_state               AggregateFunction(count) COMMENT 'events of any type',
    views_state                AggregateFunction(countIf, UInt8) COMMENT 'view events',
    clicks_state               AggregateFunction(countIf, UInt8) COMMENT 'click events',
    add_to_carts_state         AggregateFunction(countIf, UInt8) COMMENT 'add_to_cart events',
    remove_from_carts_state    AggregateFunction(countIf, UInt8) COMMENT 'remove_from_cart events',
    purchases_state            AggregateFunction(countIf, UInt8) COMMENT 'purchase events (orders)',
    searches_state             AggregateFunction(countIf, UInt8) COMMENT 'search events',
    impressions_state          AggregateFunction(countIf, UInt8) COMMENT 'impression events',
    items_viewed_state         AggregateFunction(uniqExactIf, String, UInt8) COMMENT 'distinct item_id of view events',
    purchased_units_state      AggregateFunction(sumIf, UInt64, UInt8) COMMENT 'sum of purchase line quantities',
    revenue_state              AggregateFunction(sumIf, Float64, UInt8) COMMENT 'sum of purchase revenue (price x quantity per line)'
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(event_date)
ORDER BY (event_date, session_id);

-- Events without a session_id belong to no session and are left out.
CREATE MATERIALIZED VIEW IF NOT EXISTS sessions_mv TO sessions_agg AS
SELECT
    event_date,
    session_id,
    maxState(user_id) AS user_id_state,
    maxState(anonymous_id) AS anonymous_id_state,
    minState(event_time) AS started_at_state,
    maxState(event_time) AS ended_at_state,
    countState() AS events_state,
    countIfState(type = 'view') AS views_state,
    countIfState(type = 'click') AS clicks_state,
    countIfState(type = 'add_to_cart') AS add_to_carts_state,
    countIfState(type = 'remove_from_cart') AS remove_from_carts_state,
    countIfState(type = 'purchase') AS purchases_state,
    countIfState(type = 'search') AS searches_state,
    countIfState(type = 'impression') AS impressions_state,
    uniqExactIfState(item_id, type = 'view') AS items_viewed_state,
    sumIfState(arraySum(item_quantities), type = 'purchase') AS purchased_units_state,
    sumIfState(revenue, type = 'purchase') AS revenue_state
FROM events
WHERE session_id != ''
GROUP BY event_date, session_id;

-- Backfill what `events` held before the view existed (migrations run before the services start,
-- so nothing is inserted meanwhile). FINAL collapses redeliveries stored before the sink deduplicated.
INSERT INTO sessions_agg
SELECT
    event_date,
    session_id,
    maxState(user_id),
    maxState(anonymous_id),
    minState(event_time),
    maxState(event_time),
    countState(),
    countIfState(type = 'view'),
    countIfState(type = 'click'),
    countIfState(type = 'add_to_cart'),
    countIfState(type = 'remove_from_cart'),
    countIfState(type = 'purchase'),
    countIfState(type = 'search'),
    countIfState(type = 'impression'),
    uniqExactIfState(item_id, type = 'view'),
    sumIfState(arraySum(item_quantities), type = 'purchase'),
    sumIfState(revenue, type = 'purchase')
FROM events FINAL
WHERE session_id != ''
GROUP BY event_date, session_id;

-- What analysts query: one row per session, every aggregate final.
CREATE VIEW IF NOT EXISTS sessions AS
SELECT
    session_id,
    user_id,
    anonymous_id,
    toDate(started_at) AS start_date,
    started_at,
    ended_at,
    toUInt32(ended_at - started_at) AS duration_s,
    events,
    views,
    clicks,
    add_to_carts,
    remove_from_carts,
    purchases,
    searches,
    impressions,
    items_viewed,
    purchased_units,
    revenue
FROM
(
    SELECT
        session_id,
        maxMerge(user_id_state) AS user_id,
        maxMerge(anonymous_id_state) AS anonymous_id,
        minMerge(started_at_state) AS started_at,
        maxMerge(ended_at_state) AS ended_at,
        countMerge(events_state) AS events,
        countIfMerge(views_state) AS views,
        countIfMerge(clicks_state) AS clicks,
        countIfMerge(add_to_carts_state) AS add_to_carts,
        countIfMerge(remove_from_carts_state) AS remove_from_carts,
        countIfMerge(purchases_state) AS purchases,
        countIfMerge(searches_state) AS searches,
        countIfMerge(impressions_state) AS impressions,
        uniqExactIfMerge(items_viewed_state) AS items_viewed,
        sumIfMerge(purchased_units_state) AS purchased_units,
        sumIfMerge(revenue_state) AS revenue
    FROM sessions_agg
    GROUP BY session_id
);

ALTER TABLE sessions
    COMMENT COLUMN session_id 'browsing session id as sent by the client',
    COMMENT COLUMN user_id 'logged-in shopper id seen in the session (the greatest when several), empty when none',
    COMMENT COLUMN anonymous_id 'device or cookie id seen in the session (the greatest when several), empty when none',
    COMMENT COLUMN start_date 'UTC day of started_at',
    COMMENT COLUMN started_at 'event_time of the first event',
    COMMENT COLUMN ended_at 'event_time of the last event',
    COMMENT COLUMN duration_s 'ended_at - started_at in seconds, 0 for a single-event session',
    COMMENT COLUMN events 'events of any type',
    COMMENT COLUMN views 'view events',
    COMMENT COLUMN clicks 'click events',
    COMMENT COLUMN add_to_carts 'add_to_cart events',
    COMMENT COLUMN remove_from_carts 'remove_from_cart events',
    COMMENT COLUMN purchases 'purchase events (orders)',
    COMMENT COLUMN searches 'search events',
    COMMENT COLUMN impressions 'impression events',
    COMMENT COLUMN items_viewed 'distinct items viewed',
    COMMENT COLUMN purchased_units 'units purchased: sum of line quantities',
    COMMENT COLUMN revenue 'purchase revenue: sum of price x quantity, in the currencies as sent';
