/**
 * ioredis clients. Commands fail fast while Redis is away (no unbounded offline queue), so callers
 * see a transient error and can degrade or retry, instead of piling up memory.
 */
import { Redis, type RedisOptions } from 'ioredis';
import { ERROR_CODES, TransientError, errorMessage } from '@recstream/errors';

export { Redis };

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

export function redisUnavailable(error: unknown, operation: string): TransientError {
  return new TransientError(ERROR_CODES.unavailable, `redis ${operation} failed: ${errorMessage(error)}`, {
    cause: error,
  });
}
