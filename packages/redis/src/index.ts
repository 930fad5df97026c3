/**
 * ioredis clients. While Redis is away a command waits through at most two reconnection attempts
 * (`maxRetriesPerRequest`) and then fails, so callers see an error they can degrade on or retry,
 * instead of commands piling up in memory for as long as the outage lasts.
 */
import { Redis, type RedisOptions } from 'ioredis';

export { Redis };
export { luaScript } from './lua.js';
export { classifyRedisError, isTransientRedisError } from './errors.js';
export {
  DEFAULT_CACHE_MAX_ENTRIES,
  cacheLookup,
  type Lookup,
  type LookupCacheOptions,
} from './lookup-cache.js';
export {
  createTokenBucketLimiter,
  type RateLimit,
  type RateLimiter,
  type RateVerdict,
} from './token-bucket.js';

export function createRedis(url: string, options: RedisOptions = {}): Redis {
  return new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 2,
    enableOfflineQueue: true,
    connectTimeout: 5000,
    retryStrategy: (times) => Math.min(times * 200, 2000),
    ...options,
  });
}

/** BullMQ requires `maxRetriesPerRequest: null` on its connections. */
export function createQueueRedis(url: string): Redis {
  return createRedis(url, { maxRetriesPerRequest: null, lazyConnect: false });
}
