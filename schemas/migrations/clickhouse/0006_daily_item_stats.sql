-- Daily item statistics: one row per (event_date, item_id) in the `daily_item_stats` view.
--
-- Events arrive once: the ingest sink drops event_ids that are already stored BEFORE inserting, so
-- the materialized views below see every event exactly once (they fire on INSERT, so the
-- ReplacingMergeTree dedup of `events` cannot undo a double count).
--
-- Storage: `daily_item_stats_agg` is a SummingMergeTree fed by three materialized views, one per
-- shape of event: single-item events (view, click, add_to_cart), purchase lines and impression
-- lists (both ARRAY JOINed). Each insert adds rows that merges sum up eventually; the
-- `daily_item_stats` view sums at query time, so it is exact whether or not merges have run.
-- Must run on ClickHouse 18.16 and current releases.
CREATE TABLE IF NOT EXISTS daily_item_stats_agg
(
    event_date   Date COMMENT 'UTC day of the events',
    item_id      String COMMENT 'catalog item id',
    views        UInt64 COMMENT 'view events',
    clicks       UInt64 COMMENT 'click events',
    add_to_carts UInt64 COMMENT 'add_to_cart events',
    orders       UInt64 COMMENT 'purchase events with a line for the item',
    purchases    UInt64 COMMENT 'units purchased: sum of line quantities',
    revenue      Float64 COMMENT 'sum of line price x quantity',
    impressions  UInt64 COMMENT 'times the item was in an impression list'
)
ENGINE = SummingMergeTree((views, clicks, add_to_carts, orders, purchases, revenue, impressions))
PARTITION BY toYYYYMM(event_date)
ORDER BY (event_date, item_id);

CREATE MATERIALIZED VIEW IF NOT EXISTS daily_item_stats_item_events_mv TO daily_item_stats_agg AS
SELECT
    event_date,
    item_id,
    countIf(type = 'view') AS views,
    countIf(type = 'click') AS clicks,
    countIf(type = 'add_to_cart') AS add_to_carts,
    toUInt64(0) AS orders,
    toUInt64(0) AS purchases,
    toFloat64(0) AS revenue,
    toUInt64(0) AS impressions
FROM events
WHERE type IN ('view', 'click', 'add_to_cart') AND item_id != ''
GROUP BY event_date, item_id;

-- One row per purchase line. The ARRAY JOIN runs over line numbers of purchases only (other events
-- get an empty array and produce no rows), so it never expands impression lists and never fails on
-- arrays of different lengths. `orders` counts distinct event_ids per insert block; summing it is
-- exact because every event is inserted once.
CREATE MATERIALIZED VIEW IF NOT EXISTS daily_item_stats_purchases_mv TO daily_item_stats_agg AS
SELECT
    event_date,
    item_ids[line] AS item_id,
    toUInt64(0) AS views,
    toUInt64(0) AS clicks,
    toUInt64(0) AS add_to_carts,
    toUInt64(uniqExact(event_id)) AS orders,
    toUInt64(sum(item_quantities[line])) AS purchases,
    sum(item_prices[line] * item_quantities[line]) AS revenue,
    toUInt64(0) AS impressions
FROM events
ARRAY JOIN arrayEnumerate(if(type = 'purchase', item_ids, emptyArrayString())) AS line
GROUP BY event_date, item_ids[line];

-- One row per item shown in an impression list (an item listed twice counts twice).
CREATE MATERIALIZED VIEW IF NOT EXISTS daily_item_stats_impressions_mv TO daily_item_stats_agg AS
SELECT
    event_date,
    shown_item_id AS item_id,
    toUInt64(0) AS views,
    toUInt64(0) AS clicks,
    toUInt64(0) AS add_to_carts,
    toUInt64(0) AS orders,
    toUInt64(0) AS purchases,
    toFloat64(0) AS revenue,
    count() AS impressions
FROM events
ARRAY JOIN if(type = 'impression', item_ids, emptyArrayString()) AS shown_item_id
GROUP BY event_date, shown_item_id;

-- Backfill what `events` held before the views existed (migrations run before the services start,
-- so nothing is inserted meanwhile). FINAL collapses redeliveries stored before the sink deduplicated.
INSERT INTO daily_item_stats_agg (event_date, item_id, views, clicks, add_to_carts, orders, purchases, revenue, impressions)
SELECT event_date, item_id, countIf(type = 'view'), countIf(type = 'click'), countIf(type = 'add_to_cart'), 0, 0, 0, 0
FROM events FINAL
WHERE type IN ('view', 'click', 'add_to_cart') AND item_id != ''
GROUP BY event_date, item_id;

INSERT INTO daily_item_stats_agg (event_date, item_id, views, clicks, add_to_carts, orders, purchases, revenue, impressions)
SELECT event_date, item_ids[line], 0, 0, 0, uniqExact(event_id), sum(item_quantities[line]), sum(item_prices[line] * item_quantities[line]), 0
FROM events FINAL
ARRAY JOIN arrayEnumerate(if(type = 'purchase', item_ids, emptyArrayString())) AS line
GROUP BY event_date, item_ids[line];

INSERT INTO daily_item_stats_agg (event_date, item_id, views, clicks, add_to_carts, orders, purchases, revenue, impressions)
SELECT event_date, shown_item_id, 0, 0, 0, 0, 0, 0, count()
FROM events FINAL
ARRAY JOIN if(type = 'impression', item_ids, emptyArrayString()) AS shown_item_id
GROUP BY event_date, shown_item_id;

-- What analysts query: one row per (event_date, item_id), summed at query time.
CREATE VIEW IF NOT EXISTS daily_item_stats AS
SELECT
    event_date,
    item_id,
    sum(views) AS views,
    sum(clicks) AS clicks,
    sum(add_to_carts) AS add_to_carts,
    sum(orders) AS orders,
    sum(purchases) AS purchases,
    sum(revenue) AS revenue,
    sum(impressions) AS impressions
FROM daily_item_stats_agg
GROUP BY event_date, item_id;

ALTER TABLE daily_item_stats
    COMMENT COLUMN event_date 'UTC day of the events',
    COMMENT COLUMN item_id 'catalog item id',
    COMMENT COLUMN views 'view events',
    COMMENT COLUMN clicks 'click events',
    COMMENT COLUMN add_to_carts 'add_to_cart events',
    COMMENT COLUMN orders 'purchase events with a line for the item',
    COMMENT COLUMN purchases 'units purchased: sum of line quantities',
    COMMENT COLUMN revenue 'sum of line price x quantity, in the currencies as sent',
    COMMENT COLUMN impressions 'times the item was in an impression list';
