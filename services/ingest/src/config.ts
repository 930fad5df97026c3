import {
  Type,
  loadConfig as load,
  commonConfig,
  kafkaConfig,
  clickhouseConfig,
  httpConfig,
} from '@recstream/config';

export const IngestConfigSchema = Type.Object({
  ...commonConfig,
  ...kafkaConfig,
  ...clickhouseConfig,
  ...httpConfig,
  /** collector: the HTTP API; sink: Kafka → ClickHouse; both: one process doing both (development). */
  REC_INGEST_ROLE: Type.Union([Type.Literal('collector'), Type.Literal('sink'), Type.Literal('both')], {
    default: 'collector',
  }),
  REC_HTTP_PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3001 }),
  REC_INGEST_MAX_BODY_BYTES: Type.Integer({ minimum: 1024, default: 5 * 1024 * 1024 }),
  REC_INGEST_MAX_BATCH_EVENTS: Type.Integer({ minimum: 1, default: 1000 }),
  /** How long a request waits for Kafka's acknowledgement before answering 503. */
  REC_INGEST_PRODUCE_TIMEOUT_MS: Type.Integer({ minimum: 100, default: 5000 }),
  /** Client timestamps further in the future than this are replaced by the receive time. */
  REC_INGEST_MAX_FUTURE_SKEW_MS: Type.Integer({ minimum: 0, default: 5 * 60 * 1000 }),
  /**
   * Browser origins allowed to send events, comma-separated (`https://shop.example,https://m.shop.example`),
   * or `*` for any. Empty: no CORS headers, so browsers cannot call the collector cross-origin.
   */
  REC_INGEST_CORS_ORIGINS: Type.String({ default: '' }),
  REC_SINK_GROUP_ID: Type.String({ default: 'rec-ingest-sink' }),
  REC_SINK_BATCH_ROWS: Type.Integer({ minimum: 1, default: 20_000 }),
  REC_SINK_BATCH_DELAY_MS: Type.Integer({ minimum: 1, default: 1000 }),
});

export type IngestConfig = Type.Static<typeof IngestConfigSchema>;

export function loadConfig(env: NodeJS.ProcessEnv): IngestConfig {
  return load(IngestConfigSchema, env);
}
