-- Enrichment added by the collector (services/ingest/src/handlers/enrich.ts): the parsed user agent,
-- the shopper's network anonymised to a prefix, and how the event time was derived from the
-- client's clock. Columns are appended, so rows written before this migration read the defaults.
ALTER TABLE events
    ADD COLUMN client_timestamp String DEFAULT '' COMMENT 'timestamp as the client sent it, empty when none' AFTER received_at,
    ADD COLUMN time_correction String DEFAULT '' COMMENT 'empty when the client time was used; future_skew or too_old when it was replaced by received_at' AFTER client_timestamp,
    ADD COLUMN browser String DEFAULT '' COMMENT 'parsed from the user agent' AFTER user_agent,
    ADD COLUMN browser_version String DEFAULT '' AFTER browser,
    ADD COLUMN os String DEFAULT '' AFTER browser_version,
    ADD COLUMN device_type String DEFAULT '' COMMENT 'desktop | mobile | tablet | tv | bot | empty when unknown' AFTER os,
    ADD COLUMN ip_prefix String DEFAULT '' COMMENT 'client network, anonymised: IPv4 /24, IPv6 /48' AFTER device_type;

-- The DLQ position (topic/partition/offset) identifies a parked message, so a sink that receives it
-- again after a crash does not store it twice.
ALTER TABLE failed_events
    ADD COLUMN dlq_position String DEFAULT '' COMMENT 'topic/partition/offset of the parked message' AFTER payload;
