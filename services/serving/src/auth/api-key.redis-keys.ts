/**
 * Every Redis key of serving's API-key store and its rate limits is named here, and nowhere else.
 * `prefix` is `REC_REDIS_PREFIX`; these keys live under `<prefix>:ak:…`, in the durable Redis
 * (`REC_REDIS_URL`), never in the feature store.
 *
 * | key                              | type | content                                                              | bound                                                    |
 * |----------------------------------|------|----------------------------------------------------------------------|----------------------------------------------------------|
 * | `<prefix>:ak:v1:key:<sha256hex>` | hash | `name`, `scope`, `created_at`, `rate`, `burst`, `revoked_at` if revoked | one per key; a revoked one expires `REVOKED_KEY_RETENTION_S` after revocation |
 * | `<prefix>:ak:v1:keys`            | set  | hashes of every key (the index `list` reads)                          | members whose record expired are removed by `list`       |
 * | `<prefix>:ak:v1:bucket:<sha256hex>` | hash | token bucket: `tokens`, `at` (Redis time, ms)                      | expires once the bucket would be full again              |
 */

/** Layout version: bump it when a key's meaning changes, and migrate or re-issue keys. */
export const API_KEY_LAYOUT_VERSION = 'v1';

/** How long a revoked key's record is kept (@recstream/access-keys). */
export { REVOKED_KEY_RETENTION_S } from '@recstream/access-keys';

export interface ApiKeyRedisKeys {
  record(hash: string): string;
  index(): string;
  bucket(hash: string): string;
}

export function apiKeyRedisKeys(prefix: string): ApiKeyRedisKeys {
  const base = `${prefix}:ak:${API_KEY_LAYOUT_VERSION}`;
  return {
    record: (hash) => `${base}:key:${hash}`,
    index: () => `${base}:keys`,
    bucket: (hash) => `${base}:bucket:${hash}`,
  };
}
