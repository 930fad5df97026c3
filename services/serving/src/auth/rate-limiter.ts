/**
 * Per-key rate limit shared by every serving instance: a token bucket in Redis, one Lua call per
 * request, on Redis' clock (TIME) so instances whose clocks disagree share one bucket. A refused
 * request takes nothing. Same algorithm as ingest's write-key limiter; see api-key.cache.ts for
 * why it is not shared yet.
 */
import type { Redis, Result } from 'ioredis';
import { ERROR_CODES, TransientError, errorMessage } from '@recstream/errors';
import type { RateLimit } from './api-key.js';
import { apiKeyRedisKeys } from './api-key.redis-keys.js';

/** KEYS[1] bucket; ARGV rate (tokens/s), burst, cost. {1, 0} when taken, {0, ms to wait} when not. */
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
    recTakeApiKeyTokens(
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
  /** Takes `cost` tokens from the key's bucket; rejects with a TransientError when Redis does not answer. */
  take(hash: string, limit: RateLimit, cost: number): Promise<RateVerdict>;
}

export function createRateLimiter(redis: Redis, prefix: string): RateLimiter {
  redis.defineCommand('recTakeApiKeyTokens', { numberOfKeys: 1, lua: TAKE_TOKENS });
  const keys = apiKeyRedisKeys(prefix);
  return {
    async take(hash, limit, cost) {
      let reply: [number, number];
      try {
        reply = await redis.recTakeApiKeyTokens(keys.bucket(hash), limit.ratePerSecond, limit.burst, cost);
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
