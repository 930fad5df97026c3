-- Site search: one row per (event_date, normalised query) in the `search_queries` view.
--
-- Normalised query: lower case, runs of whitespace collapsed to one space, no leading or trailing
-- space ("  Red   SHOES " -> "red shoes"), so spelling variants of one search add up.
-- A zero-result search is one whose results_count is 0; searches sent without results_count
-- (stored as -1) are counted in `searches` but left out of the zero-result rate.
--
-- Events arrive once: the ingest sink drops event_ids that are already stored BEFORE inserting, so
-- the materialized view sees every search exactly once. `search_queries_agg` is a SummingMergeTree
-- whose rows merges add up eventually; the view sums at query time and is always exact.
-- Must run on ClickHouse 18.16 and current releases.
CREATE TABLE IF NOT EXISTS search_queries_agg
(
    event_date           Date COMMENT 'UTC day of the searches',
    normalised_query     String COMMENT 'lower case, whitespace collapsed and trimmed',
    searches             UInt64 COMMENT 'search events',
    counted_searches     UInt64 COMMENT 'search events that reported results_count',
    zero_result_searches UInt64 COMMENT 'search events with results_count = 0'
)
ENGINE = SummingMergeTree((searches, counted_searches, zero_result_searches))
PARTITION BY toYYYYMM(event_date)
ORDER BY (event_date, normalised_query);

CREATE MATERIALIZED VIEW IF NOT EXISTS search_queries_mv TO search_queries_agg AS
SELECT
    event_date,
    replaceRegexpAll(replaceRegexpAll(lowerUTF8(query), '\\s+', ' '), '^ | $', '') AS normalised_query,
    count() AS searches,
    countIf(results_count >= 0) AS counted_searches,
    countIf(results_count = 0) AS zero_result_searches
FROM events
WHERE type = 'search'
GROUP BY event_date, normalised_query;

-- Backfill what `events` held before the view existed (migrations run before the services start,
-- so nothing is inserted meanwhile). FINAL collapses redeliveries stored before the sink deduplicated.
INSERT INTO search_queries_agg (event_date, normalised_query, searches, counted_searches, zero_result_searches)
SELECT
    event_date,
    replaceRegexpAll(replaceRegexpAll(lowerUTF8(query), '\\s+', ' '), '^ | $', '') AS normalised_query,
    count(),
    countIf(results_count >= 0),
    countIf(results_count = 0)
FROM events FINAL
WHERE type = 'search'
GROUP BY event_date, normalised_query;

-- What analysts query: one row per (event_date, normalised query), summed at query time.
CREATE VIEW IF NOT EXISTS search_queries AS
SELECT
    event_date,
    query,
    searches,
    counted_searches,
    zero_result_searches,
    if(counted_searches = 0, 0, zero_result_searches / counted_searches) AS zero_result_rate
FROM
(
    SELECT
        event_date,
        normalised_query AS query,
        sum(searches) AS searches,
        sum(counted_searches) AS counted_searches,
        sum(zero_result_searches) AS zero_result_searches
    FROM search_queries_agg
    GROUP BY event_date, normalised_query
);

ALTER TABLE search_queries
    COMMENT COLUMN event_date 'UTC day of the searches',
    COMMENT COLUMN query 'normalised query: lower case, whitespace collapsed and trimmed',
    COMMENT COLUMN searches 'search events',
    COMMENT COLUMN counted_searches 'search events that reported results_count',
    COMMENT COLUMN zero_result_searches 'search events with results_count = 0',
    COMMENT COLUMN zero_result_rate 'zero_result_searches / counted_searches, 0 when none reported a count';
