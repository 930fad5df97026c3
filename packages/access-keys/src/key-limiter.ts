/**
 * A kind's rate limit, shared by every instance of its service: a token bucket per key in Redis
 * (@recstream/redis `createTokenBucketLimiter`), and, for a kind whose layout has them, one per
 * client within a key's (`within`: ingest's browser keys, by the client's address).
 */
import { createTokenBucketLimiter, type RateLimiter, type Redis } from '@recstream/redis';
import type { AccessKeyKind, KeyRecordBase } from './key-store.js';

export function createKeyRateLimiter<R extends KeyRecordBase, I>(
  redis: Redis,
  prefix: string,
  kind: AccessKeyKind<R, I>,
): RateLimiter {
  const layout = kind.layout(prefix);
  return createTokenBucketLimiter(redis, (hash, within) => {
    if (within === undefined) return layout.bucket(hash);
    if (layout.within === undefined) throw new Error(`${kind.noun}s have no buckets within a key's`);
    return layout.within(hash, within);
  });
}
