/**
 * A per-key rate limit shared by every instance of a service: a token bucket in Redis, one Lua call
 * (one round trip) per request. A request takes `cost` tokens (a batch may count each record); the
 * bucket refills at `ratePerSecond` up to `burst`.
 *
 * The script reads the clock of Redis (TIME), not ours, so instances whose clocks disagree still
 * share one consistent bucket. A refused request takes nothing: a client that retries after the
 * announced delay finds the tokens it needs. Ingest's write keys and serving's API keys both use it.
 *
 * A request may also be charged to a second bucket inside the key's (`within`: ingest's per-client
 * limit within a write key): both buckets are charged, or neither, in the same call. And a charge
 * may be `partial` (take what there is, up to `cost`, never refuse): for requests refused anyway,
 * which must cost something without being refused a second time.
 */
import type { Redis, Result } from 'ioredis';
import { luaScript } from './lua.js';

export interface RateLimit {
  readonly ratePerSecond: number;
  readonly burst: number;
}

/**
 * KEYS: the buckets (1 or more); ARGV: cost, the tokens a refusal's wait is computed for, partial
 * (1 or 0), then rate (tokens/s) and burst of each bucket. Returns {1, 0, 0} when the tokens were
 * taken, {0, ms, i} when not, with the wait until they would be there and the (1-based) bucket
 * that is short of them. All buckets are charged or none.
 */
const TAKE_TOKENS = new URL('./take-tokens.lua', import.meta.url);

declare module 'ioredis' {
  interface RedisCommander<Context> {
    recTakeTokens(
      buckets: number,
      ...keysAndArgs: (string | number)[]
    ): Result<[number, number, number], Context>;
  }
}

export type RateVerdict =
  | { readonly allowed: true }
  | {
      readonly allowed: false;
      readonly retryAfterMs: number;
      /** Which bucket is short: the key's (also when absent), or the one `within` it. */
      readonly limitedBy?: 'key' | 'within';
    };

export interface TakeOptions {
  /** A bucket inside the key's, charged with it (both or neither), named by `bucketKey(hash, id)`. */
  readonly within?: { readonly id: string; readonly limit: RateLimit };
  /** Take what there is, up to `cost`, and never refuse. */
  readonly partial?: boolean;
  /** When refused, the wait announced is for this many tokens (default and at least `cost`). */
  readonly waitFor?: number;
}

export interface RateLimiter {
  /**
   * Takes `cost` tokens from the bucket of the key with this hash. Rejects with the client's
   * classified error when Redis fails: the caller cannot account for the request.
   */
  take(hash: string, limit: RateLimit, cost: number, options?: TakeOptions): Promise<RateVerdict>;
}

/**
 * A limiter whose buckets are the Redis keys `bucketKey(hash)`, and `bucketKey(hash, id)` for a
 * bucket within a key's.
 */
export function createTokenBucketLimiter(
  redis: Redis,
  bucketKey: (hash: string, within?: string) => string,
): RateLimiter {
  redis.defineCommand('recTakeTokens', { lua: luaScript(TAKE_TOKENS) });
  return {
    async take(hash, limit, cost, options = {}) {
      const buckets: [string, RateLimit][] = [[bucketKey(hash), limit]];
      if (options.within !== undefined)
        buckets.push([bucketKey(hash, options.within.id), options.within.limit]);
      // Redis failures reject classified (createRedis): a caller answers 503 on any of them.
      const [allowed, waitMs, short] = await redis.recTakeTokens(
        buckets.length,
        ...buckets.map(([key]) => key),
        cost,
        options.waitFor ?? cost,
        options.partial === true ? 1 : 0,
        ...buckets.flatMap(([, bucket]) => [bucket.ratePerSecond, bucket.burst]),
      );
      return allowed === 1
        ? { allowed: true }
        : { allowed: false, retryAfterMs: waitMs, limitedBy: short === 1 ? 'key' : 'within' };
    },
  };
}
