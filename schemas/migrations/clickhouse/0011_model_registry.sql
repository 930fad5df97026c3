-- The model registry's metadata, mirrored from the trainer's registry (services/trainer/src/registry)
-- so analysts and dashboards can query versions and the guardrail's decisions. The filesystem
-- registry stays the source of truth; these tables are rewritten from it on every change.
-- ReplacingMergeTree(revision) keeps the latest row per version (status and pin change over time):
-- query with FINAL.
CREATE TABLE IF NOT EXISTS model_versions
(
    model          String,
    version        String,
    parent         String COMMENT 'version this one was warm-started from; empty for a full training',
    kind           String COMMENT 'full | incremental | baseline',
    status         String COMMENT 'candidate | live | rejected | rolled-back',
    pinned         UInt8 COMMENT '1 while automatic publishing is held on this version',
    created_at     DateTime('UTC'),
    data_from      DateTime('UTC') COMMENT 'event time of the oldest event learned by this version (its own window)',
    data_to        DateTime('UTC') COMMENT 'event time of the newest event learned',
    watermark      String COMMENT 'JSON {kafka partition: last offset learned}, cumulative over the lineage',
    events_learned UInt64 COMMENT 'events learned by this version itself (not its parents)',
    metrics        String COMMENT 'JSON object of numbers: holdout HR@10 / NDCG@10, counts, timings',
    sha256         String COMMENT 'checksum of the artifact manifest',
    updated_at     DateTime('UTC'),
    revision       UInt64 COMMENT 'milliseconds of the change; the highest wins'
)
ENGINE = ReplacingMergeTree(revision)
ORDER BY (model, version);

-- Every publishing decision with the numbers it was made on: guardrail verdicts and manual actions.
CREATE TABLE IF NOT EXISTS model_decisions
(
    decided_at       DateTime('UTC'),
    model            String,
    version          String COMMENT 'the version the decision is about',
    live_version     String COMMENT 'the live version before the decision; empty when there was none',
    action           String COMMENT 'publish | reject | hold | promote | rollback | pin | unpin',
    reason           String,
    holdout_cases    UInt32,
    candidate_hr10   Nullable(Float64),
    candidate_ndcg10 Nullable(Float64),
    live_hr10        Nullable(Float64),
    live_ndcg10      Nullable(Float64),
    tolerance        Float64
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(decided_at)
ORDER BY (model, decided_at);
