/**
 * In-process cache of API-key lookups, so authenticating a request costs no Redis round trip.
 * An answer is reused for `ttlMs`: the longest a revocation (or a new key) takes to reach a
 * running instance. Unknown keys are cached too (a client hammering with a wrong key costs one
 * lookup per TTL); failed lookups are not. Concurrent lookups of one key share one call. At most
 * `maxEntries` answers are held, oldest dropped first, so random keys cannot grow the process.
 *
 * The same policy as ingest's write-key cache (services/ingest/src/auth/write-key.cache.ts); the
 * token bucket already lives in @recstream/redis, and the key store, cache and commands are next.
 */
import type { ApiKeyRecord } from './api-key.js';

export type ApiKeyLookup = (hash: string) => Promise<ApiKeyRecord | undefined>;

export const DEFAULT_CACHE_MAX_ENTRIES = 10_000;

interface Entry {
  readonly answer: Promise<ApiKeyRecord | undefined>;
  /** Infinity while the lookup is in flight. */
  expiresAt: number;
}

export function cacheApiKeyLookup(
  lookup: ApiKeyLookup,
  options: { ttlMs: number; maxEntries?: number; now?: () => number },
): ApiKeyLookup {
  const maxEntries = options.maxEntries ?? DEFAULT_CACHE_MAX_ENTRIES;
  const now = options.now ?? Date.now;
  if (!(options.ttlMs >= 0)) throw new Error(`ttlMs must be at least 0 (got ${options.ttlMs})`);
  if (!(maxEntries >= 1)) throw new Error(`maxEntries must be at least 1 (got ${maxEntries})`);
  // A Map iterates in insertion order: the first entry is the oldest answer.
  const entries = new Map<string, Entry>();
  return (hash) => {
    const cached = entries.get(hash);
    if (cached !== undefined && now() < cached.expiresAt) return cached.answer;
    entries.delete(hash);
    const entry: Entry = { answer: lookup(hash), expiresAt: Infinity };
    entries.set(hash, entry);
    for (const oldest of entries.keys()) {
      if (entries.size <= maxEntries) break;
      entries.delete(oldest);
    }
    entry.answer.then(
      () => (entry.expiresAt = now() + options.ttlMs),
      () => {
        if (entries.get(hash) === entry) entries.delete(hash);
      },
    );
    return entry.answer;
  };
}
