/**
 * Which keys' expiries a chunk must renew. Every write used to renew its key's expiry: about five
 * EXPIREs per event, a tenth of Redis' time per event, to move a 2-hour to 90-day deadline by a
 * few seconds. Here a store renews a key's expiry once per period (RENEWAL_PERIOD_MS), the first
 * time it writes the key in that period, so a key expires up to about one period earlier than
 * `ttl` after its last write, instead of exactly then.
 *
 * A key's first write by this process always sets its expiry, so a key never lacks one — unless it
 * is deleted and written again within the period of its renewal (a rebuild's `--reset` while this
 * process runs): then it gets its expiry at its first write of a later period. The memory is a
 * set of key names, cleared every period and bounded by RENEWED_KEYS_MAX.
 */

/** Far below the shortest expiry (a session's 2 hours). */
export const RENEWAL_PERIOD_MS = 10 * 60 * 1000;
/** About 100 MB of key names at most; past it, the set starts over (renewing again is harmless). */
export const RENEWED_KEYS_MAX = 500_000;

export interface ExpiryRenewals {
  /** Whether a write to `key` now must renew its expiry. */
  due(key: string): boolean;
  /** Records expiries Redis has renewed (only after the script that renewed them succeeded). */
  renewed(keys: Iterable<string>): void;
}

export function createExpiryRenewals(
  now: () => number,
  periodMs = RENEWAL_PERIOD_MS,
  maxKeys = RENEWED_KEYS_MAX,
): ExpiryRenewals {
  let period = Math.floor(now() / periodMs);
  let keys = new Set<string>();
  const current = () => {
    const at = Math.floor(now() / periodMs);
    if (at !== period || keys.size >= maxKeys) {
      period = at;
      keys = new Set();
    }
    return keys;
  };
  return {
    due: (key) => !current().has(key),
    renewed(renewedKeys) {
      const set = current();
      for (const key of renewedKeys) set.add(key);
    },
  };
}
