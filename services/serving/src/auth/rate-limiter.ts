/**
 * API keys' rate limit, shared by every serving instance: a token bucket per key in Redis
 * (@recstream/redis, as ingest's write keys). A campaign batch costs one per shopper in it.
 */
import { createTokenBucketLimiter, type Redis, type RateLimiter } from '@recstream/redis';
import { apiKeyRedisKeys } from './api-key.redis-keys.js';

export type { RateLimiter, RateVerdict } from '@recstream/redis';

export function createRateLimiter(redis: Redis, prefix: string): RateLimiter {
  const keys = apiKeyRedisKeys(prefix);
  return createTokenBucketLimiter(redis, (hash) => keys.bucket(hash));
}
