/**
 * ioredis clients. While Redis is away a command waits through at most two reconnection attempts
 * (`maxRetriesPerRequest`) and then fails, so callers see an error they can degrade on or retry,
 * instead of commands piling up in memory for as long as the outage lasts.
 *
 * A client from `createRedis` classifies its own failures (`errors.ts`): every command, pipelined
 * command, transaction and script rejects with a `TransientError` or a `PermanentError`, the
 * driver's error as its cause, as @recstream/clickhouse's client does. Callers ask `isTransient`
 * and never look at Redis' messages.
 */
import { Redis, type Command, type RedisOptions } from 'ioredis';
import { classifyRedisError } from './errors.js';

export { Redis };
export { luaScript } from './lua.js';
export {
  FEATURE_STORE_FAMILIES,
  KEY_FAMILIES,
  keyBuilder,
  keyFamiliesPattern,
  keyFamilyStem,
  keyFamilySuffix,
  queueKeyPrefix,
  type KeyFamily,
  type KeyFamilyName,
  type KeyParts,
  type RedisKeyType,
  type RedisRole,
} from './key-families.js';
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

/** Every command's rejection passes through `classifyRedisError`, wherever ioredis rejects it. */
class ClassifiedRedis extends Redis {
  override sendCommand(command: Command, stream?: Parameters<Redis['sendCommand']>[1]): unknown {
    const reject = command.reject;
    command.reject = (error) => reject(classifyRedisError(error));
    return super.sendCommand(command, stream);
  }

  override duplicate(override?: Partial<RedisOptions>): Redis {
    return new ClassifiedRedis({ ...this.options, ...override });
  }
}

export function createRedis(url: string, options: RedisOptions = {}): Redis {
  return new ClassifiedRedis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 2,
    enableOfflineQueue: true,
    connectTimeout: 5000,
    retryStrategy: (times) => Math.min(times * 200, 2000),
    ...options,
  });
}

/**
 * BullMQ requires `maxRetriesPerRequest: null` on its connections. A plain ioredis client: BullMQ
 * reads the driver's own errors.
 */
export function createQueueRedis(url: string): Redis {
  return new Redis(url, {
    connectTimeout: 5000,
    retryStrategy: (times) => Math.min(times * 200, 2000),
    maxRetriesPerRequest: null,
    enableOfflineQueue: true,
  });
}
