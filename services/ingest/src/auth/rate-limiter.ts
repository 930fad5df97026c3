/**
 * Write keys' rate limit, shared by every collector instance: a token bucket per key in Redis
 * (@recstream/redis), and within a browser key's bucket one per client (`within`: the client's
 * address, `client-address.ts`). A request takes as many tokens as it carries records, so a batch
 * of 500 events counts 500 (how the guard charges: `intake-guard.ts`).
 */
import { createTokenBucketLimiter, type Redis, type RateLimiter } from '@recstream/redis';
import { writeKeyRedisKeys } from './write-key.redis-keys.js';

export type { RateLimiter, RateVerdict } from '@recstream/redis';

export function createRateLimiter(redis: Redis, prefix: string): RateLimiter {
  const keys = writeKeyRedisKeys(prefix);
  return createTokenBucketLimiter(redis, (hash, client) =>
    client === undefined ? keys.bucket(hash) : keys.clientBucket(hash, client),
  );
}
