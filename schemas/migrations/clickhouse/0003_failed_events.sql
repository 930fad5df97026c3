-- Events we refused or could not process, with the reason, so analysts and integrators can see
-- what goes wrong and replay after a fix. The payload is kept as received.
CREATE TABLE IF NOT EXISTS failed_events
(
    failed_at   DateTime('UTC'),
    source      String,
    step        String COMMENT 'validate | enrich | sink ...',
    reason      String,
    error_code  String,
    event_id    String COMMENT 'when it could be read from the payload',
    payload     String,
    failed_date Date
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(failed_date)
ORDER BY (failed_date, step, failed_at);
