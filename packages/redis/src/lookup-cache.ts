/**
 * In-process cache of lookups of records kept in Redis (ingest's write keys, serving's API keys),
 * so that authenticating a request does not cost a Redis round trip. An answer is reused for
 * `ttlMs`: that is how long a revocation (or a new record) may take to be seen by a running
 * instance. Absent records are cached too, so a client hammering with a wrong key costs Redis one
 * lookup per TTL. Failed lookups are not cached. Concurrent lookups of one key share a single call.
 * At most `maxEntries` keys are held (the oldest answer is dropped first), so random keys cannot
 * grow the process without bound.
 */

export type Lookup<T> = (key: string) => Promise<T | undefined>;

export interface LookupCacheOptions {
  readonly ttlMs: number;
  readonly maxEntries?: number;
  readonly now?: () => number;
}

export const DEFAULT_CACHE_MAX_ENTRIES = 10_000;

interface Entry<T> {
  readonly answer: Promise<T | undefined>;
  /** Infinity while the lookup is in flight. */
  expiresAt: number;
}

export function cacheLookup<T>(lookup: Lookup<T>, options: LookupCacheOptions): Lookup<T> {
  const maxEntries = options.maxEntries ?? DEFAULT_CACHE_MAX_ENTRIES;
  const now = options.now ?? Date.now;
  if (!(options.ttlMs >= 0)) throw new Error(`ttlMs must be at least 0 (got ${options.ttlMs})`);
  if (!(maxEntries >= 1)) throw new Error(`maxEntries must be at least 1 (got ${maxEntries})`);
  // A Map iterates in insertion order: the first entry is the oldest answer.
  const entries = new Map<string, Entry<T>>();

  return (hash) => {
    const cached = entries.get(hash);
    if (cached !== undefined && now() < cached.expiresAt) return cached.answer;
    entries.delete(hash);
    const entry: Entry<T> = { answer: lookup(hash), expiresAt: Infinity };
    entries.set(hash, entry);
    while (entries.size > maxEntries) {
      const oldest = entries.keys().next();
      if (oldest.done === true) break;
      entries.delete(oldest.value);
    }
    entry.answer.then(
      () => {
        entry.expiresAt = now() + options.ttlMs;
      },
      () => {
        if (entries.get(hash) === entry) entries.delete(hash);
      },
    );
    return entry.answer;
  };
}
