import {
  Type,
  loadConfig as load,
  commonConfig,
  kafkaConfig,
  clickhouseConfig,
  httpConfig,
  redisConfig,
} from '@recstream/config';
import type { ClientLimits } from './auth/intake-guard.js';
import { DEFAULT_MAX_PAST_AGE_MS } from './handlers/enrich.js';

export const IngestConfigSchema = Type.Object({
  ...commonConfig,
  ...kafkaConfig,
  ...clickhouseConfig,
  ...httpConfig,
  ...redisConfig,
  /** collector: the HTTP API; sink: Kafka → ClickHouse; both: one process doing both (development). */
  REC_INGEST_ROLE: Type.Union([Type.Literal('collector'), Type.Literal('sink'), Type.Literal('both')], {
    default: 'collector',
  }),
  REC_HTTP_PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3001 }),
  /** Bounded above: the whole body is held in memory and parsed on the event loop. */
  REC_INGEST_MAX_BODY_BYTES: Type.Integer({
    minimum: 1024,
    maximum: 64 * 1024 * 1024,
    default: 5 * 1024 * 1024,
  }),
  REC_INGEST_MAX_BATCH_EVENTS: Type.Integer({ minimum: 1, maximum: 10_000, default: 1000 }),
  /**
   * Bound on records accepted but not yet acknowledged by Kafka (held in memory). Beyond it the
   * collector answers 503 + Retry-After at once instead of queueing more.
   */
  REC_INGEST_MAX_INFLIGHT_RECORDS: Type.Integer({ minimum: 1000, default: 100_000 }),
  /** How long a request waits for Kafka's acknowledgement before answering 503. */
  REC_INGEST_PRODUCE_TIMEOUT_MS: Type.Integer({ minimum: 100, default: 5000 }),
  /** Client timestamps further in the future than this are replaced by the receive time. */
  REC_INGEST_MAX_FUTURE_SKEW_MS: Type.Integer({ minimum: 0, default: 5 * 60 * 1000 }),
  /** Client timestamps older than this are replaced by the receive time (and flagged `too_old`). */
  REC_INGEST_MAX_PAST_AGE_MS: Type.Integer({ minimum: 0, default: DEFAULT_MAX_PAST_AGE_MS }),
  /**
   * Browser origins allowed to send events, comma-separated (`https://shop.example,https://m.shop.example`),
   * or `*` for any. Empty: no CORS headers, so browsers cannot call the collector cross-origin.
   */
  REC_INGEST_CORS_ORIGINS: Type.String({ default: '' }),
  /**
   * `required`: every intake request needs a write key (`pnpm write-keys create …`), rate-limited per
   * key through Redis. `disabled`: anyone may send, nothing is limited — local development only.
   */
  REC_INGEST_AUTH: Type.Enum(['required', 'disabled'], { default: 'required' }),
  /** How long a collector reuses a write-key lookup: the most a revocation takes to apply. */
  REC_INGEST_WRITE_KEY_CACHE_MS: Type.Integer({ minimum: 0, maximum: 300_000, default: 5000 }),
  /**
   * Each client's limit within a browser (or legacy) write key, in records per second, beside the
   * key's own: a browser key is shared by every visitor of a shop, and one visitor must not use up
   * what all of them share. A client is an address (`REC_INGEST_CLIENT_IPV4_PREFIX`,
   * `..._IPV6_PREFIX`): shoppers behind one NAT share it, hence a limit well above one shopper's
   * pace. 0: no per-client limit. Server keys never have one (a backend sends from one address).
   * Behind a proxy, set REC_HTTP_TRUST_PROXY, or every visitor is the proxy's one client.
   */
  REC_INGEST_CLIENT_RATE: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 100 }),
  /** Most records a client of a browser key may send at once (the per-client bucket). */
  REC_INGEST_CLIENT_BURST: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 1000 }),
  /** Leading bits of an IPv4 address that name one client: 32, one address (a NAT's). */
  REC_INGEST_CLIENT_IPV4_PREFIX: Type.Integer({ minimum: 8, maximum: 32, default: 32 }),
  /** Leading bits of an IPv6 address that name one client: 56, what an ISP gives one customer. */
  REC_INGEST_CLIENT_IPV6_PREFIX: Type.Integer({ minimum: 16, maximum: 128, default: 56 }),
  REC_SINK_GROUP_ID: Type.String({ default: 'rec-ingest-sink' }),
  REC_SINK_BATCH_ROWS: Type.Integer({ minimum: 1, default: 20_000 }),
  REC_SINK_BATCH_DELAY_MS: Type.Integer({ minimum: 1, default: 500 }),
});

export type IngestConfig = Type.Static<typeof IngestConfigSchema>;

export function loadConfig(env: NodeJS.ProcessEnv): IngestConfig {
  return load(IngestConfigSchema, env);
}

/** The per-client limits within browser keys that the collector applies; none at rate 0. */
export function clientLimits(config: IngestConfig): { readonly clients?: ClientLimits } {
  if (config.REC_INGEST_CLIENT_RATE === 0) return {};
  return {
    clients: {
      limit: { ratePerSecond: config.REC_INGEST_CLIENT_RATE, burst: config.REC_INGEST_CLIENT_BURST },
      ipv4PrefixBits: config.REC_INGEST_CLIENT_IPV4_PREFIX,
      ipv6PrefixBits: config.REC_INGEST_CLIENT_IPV6_PREFIX,
    },
  };
}
