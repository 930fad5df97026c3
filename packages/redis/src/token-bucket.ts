/**
 * A per-key rate limit shared by every instance of a service: a token bucket in Redis, one Lua call
 * (one round trip) per request. A request takes `cost` tokens (a batch may count each record); the
 * bucket refills at `ratePerSecond` up to `burst`.
 *
 * The script reads the clock of Redis (TIME), not ours, so instances whose clocks disagree still
 * share one consistent bucket. A refused request takes nothing: a client that retries after the
 * announced delay finds the tokens it needs. Ingest's write keys and serving's API keys both use it.
 */
import type { Redis, Result } from 'ioredis';
import { ERROR_CODES, TransientError, errorMessage } from '@recstream/errors';

export interface RateLimit {
  readonly ratePerSecond: number;
  readonly burst: number;
}

/**
 * KEYS[1] bucket; ARGV rate (tokens/s), burst, cost. Returns {1, 0} when the tokens were taken,
 * {0, ms} when not, with the wait until they would be there.
 */
const TAKE_TOKENS = `
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1])
local at = tonumber(state[2])
if tokens == nil or at == nil then
  tokens = burst
  at = now
end
tokens = math.min(burst, tokens + math.max(0, now - at) * rate / 1000)
if tokens < cost then
  return {0, math.ceil((cost - tokens) * 1000 / rate)}
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens - cost), 'at', tostring(now))
-- Once refilled to burst, the bucket is the same as no bucket: let it go (the memory bound).
redis.call('PEXPIRE', KEYS[1], math.ceil(burst * 1000 / rate) + 1000)
return {1, 0}
`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    recTakeTokens(
      bucketKey: string,
      ratePerSecond: number,
      burst: number,
      cost: number,
    ): Result<[number, number], Context>;
  }
}

export type RateVerdict =
  { readonly allowed: true } | { readonly allowed: false; readonly retryAfterMs: number };

export interface RateLimiter {
  /**
   * Takes `cost` tokens from the bucket of the key with this hash. Rejects with a
   * `TransientError` when Redis does not answer: the caller cannot account for the request.
   */
  take(hash: string, limit: RateLimit, cost: number): Promise<RateVerdict>;
}

/** A limiter whose buckets are the Redis keys `bucketKey(hash)`. */
export function createTokenBucketLimiter(redis: Redis, bucketKey: (hash: string) => string): RateLimiter {
  redis.defineCommand('recTakeTokens', { numberOfKeys: 1, lua: TAKE_TOKENS });
  return {
    async take(hash, limit, cost) {
      let reply: [number, number];
      try {
        reply = await redis.recTakeTokens(bucketKey(hash), limit.ratePerSecond, limit.burst, cost);
      } catch (error) {
        throw new TransientError(
          ERROR_CODES.unavailable,
          `rate limiter unavailable: ${errorMessage(error)}`,
          {
            cause: error,
          },
        );
      }
      const [allowed, waitMs] = reply;
      return allowed === 1 ? { allowed: true } : { allowed: false, retryAfterMs: waitMs };
    },
  };
}
