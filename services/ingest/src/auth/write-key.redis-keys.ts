/**
 * Every Redis key of the write-key store and the per-key rate limit is named here, and nowhere
 * else. `prefix` is `REC_REDIS_PREFIX`, which separates deployments and tests sharing one Redis.
 *
 * | key                                  | type | content                                                        | bound                                                               |
 * |--------------------------------------|------|----------------------------------------------------------------|---------------------------------------------------------------------|
 * | `<prefix>:wk:v1:key:<sha256hex>`     | hash | `source`, `kind`, `scopes`, `created_at`, `rate`, `burst`, `revoked_at` if revoked | one per key created; a revoked one expires `REVOKED_KEY_RETENTION_S` after revocation |
 * | `<prefix>:wk:v1:source:<source>`     | set  | hashes of the source's keys (the index `list` reads)           | members whose record expired are removed by `list`                  |
 * | `<prefix>:wk:v1:sources`             | set  | source names that have keys                                    | a source is removed by `list` once its set is empty                 |
 * | `<prefix>:wk:v1:bucket:<sha256hex>`  | hash | token bucket: `tokens`, `at` (Redis time, ms)                  | expires once the bucket would be full again (`burst / rate` s idle)  |
 * | `<prefix>:wk:v1:client:<sha256hex>:<client>` | hash | a client's token bucket within a browser key's (`client-address.ts`) | as the key's bucket: one per client that sent in the last `burst / rate` s of the client limit |
 *
 * Times are ISO-8601 UTC strings; `rate` is events per second, `burst` events. `kind` is `browser`
 * or `server`, `scopes` a comma-separated list (`events`, `catalog`); records written before they
 * existed have neither (read as legacy keys, `write-key.ts`). `<client>` is an IPv4 address or an
 * IPv6 network (`2001:db8:1:100::/56`): the key's hash before it is 64 hex characters without `:`,
 * so a client bucket can never be named like another key's bucket.
 */

/** Layout version: bump it when a key's meaning changes, and migrate or re-issue keys. */
export const WRITE_KEY_LAYOUT_VERSION = 'v1';

/** How long a revoked key's record is kept (@recstream/access-keys). */
export { REVOKED_KEY_RETENTION_S } from '@recstream/access-keys';

export interface WriteKeyRedisKeys {
  record(hash: string): string;
  sourceIndex(source: string): string;
  sources(): string;
  bucket(hash: string): string;
  /** The bucket of one client of a key. */
  clientBucket(hash: string, client: string): string;
}

export function writeKeyRedisKeys(prefix: string): WriteKeyRedisKeys {
  const base = `${prefix}:wk:${WRITE_KEY_LAYOUT_VERSION}`;
  return {
    record: (hash) => `${base}:key:${hash}`,
    sourceIndex: (source) => `${base}:source:${source}`,
    sources: () => `${base}:sources`,
    bucket: (hash) => `${base}:bucket:${hash}`,
    clientBucket: (hash, client) => `${base}:client:${hash}:${client}`,
  };
}
