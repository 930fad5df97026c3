-- Where each event sits in the events topic, and the milliseconds DateTime drops. With them the
-- feature service can rebuild its Redis features from this log exactly as the live consumer
-- computed them: same event times, and each event gated by the same (partition, offset) as live.
-- Rows written before this migration have -1 positions (the rebuild reports and skips them).
ALTER TABLE events
    ADD COLUMN kafka_partition Int32 DEFAULT -1 COMMENT 'partition of the events topic the event was read from' AFTER event_date,
    ADD COLUMN kafka_offset Int64 DEFAULT -1 COMMENT 'offset in that partition' AFTER kafka_partition,
    ADD COLUMN event_time_ms UInt16 DEFAULT 0 COMMENT 'milliseconds of event_time' AFTER kafka_offset,
    ADD COLUMN received_at_ms UInt16 DEFAULT 0 COMMENT 'milliseconds of received_at' AFTER event_time_ms;
