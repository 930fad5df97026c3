-- The behaviour log: one row per accepted clickstream event (schemas/src/events/event.schema.ts).
-- Written by the ingest sink. Must run on ClickHouse 18.16 and on current releases:
-- no LowCardinality, no DateTime64, no TTL.
-- ReplacingMergeTree collapses exact redeliveries of one event on merge (query with FINAL to see
-- the collapsed view); the sink also dedups before inserting, because materialized views fire on
-- insert and would count a duplicate twice.
CREATE TABLE IF NOT EXISTS events
(
    event_id        String,
    type            String,
    user_id         String,
    anonymous_id    String,
    session_id      String,
    item_id         String COMMENT 'single-item events: view, click, add_to_cart, remove_from_cart',
    item_ids        Array(String) COMMENT 'purchase line items or impression list, in order',
    item_prices     Array(Float64) COMMENT 'purchase: unit price per line item',
    item_quantities Array(UInt32) COMMENT 'purchase: quantity per line item',
    order_id        String,
    price           Float64,
    quantity        UInt32,
    currency        String,
    revenue         Float64 COMMENT 'purchase: sum of price x quantity',
    query           String,
    results_count   Int32 COMMENT '-1 when unknown',
    position        Int32 COMMENT 'click: rank clicked, -1 when unknown',
    list            String,
    request_id      String,
    page_type       String,
    page_url        String,
    referrer        String,
    page_category   String,
    locale          String,
    user_agent      String,
    properties      String COMMENT 'free-form JSON object as sent',
    source          String COMMENT 'write-key source that sent the event',
    event_time      DateTime('UTC') COMMENT 'client time corrected for clock skew',
    received_at     DateTime('UTC'),
    event_date      Date
)
ENGINE = ReplacingMergeTree(received_at)
PARTITION BY toYYYYMM(event_date)
ORDER BY (event_date, type, event_id);
