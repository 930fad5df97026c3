/** Write keys, their scopes and rate limits, of the collector: the API other modules and tests use. */
import { cacheKeyLookup, createKeyRateLimiter, type RateLimiter } from '@recstream/access-keys';
import type { Redis } from '@recstream/redis';
import { WRITE_KEYS } from './write-key.js';

export {
  WRITE_KEY_HEADER,
  UNAUTHENTICATED_SOURCE,
  createIntakeGuard,
  type ClientLimits,
  type IntakeAuth,
  type IntakeGuard,
  type RefusalReason,
  type WriteKeyLookup,
} from './intake-guard.js';
export { REVOKED_KEY_RETENTION_S, type RateLimiter, type RateVerdict } from '@recstream/access-keys';
export {
  WRITE_KEYS,
  WRITE_KEY_KINDS,
  WRITE_SCOPES,
  WriteKeyError,
  generateWriteKey,
  hashWriteKey,
  isWellFormedWriteKey,
  keyAllows,
  keyId,
  writeKeyRedisKeys,
  type RateLimit,
  type WriteKeyFields,
  type WriteKeyKind,
  type WriteKeyRecord,
  type WriteScope,
} from './write-key.js';
export { UNKNOWN_CLIENT, clientOf, type ClientPrefixes } from './client-address.js';
export {
  createWriteKeyStore,
  type CreatedWriteKey,
  type WriteKeyInput,
  type WriteKeyStore,
} from './write-key.store.js';
export { MIN_DEFAULT_BURST, runWriteKeys, type WriteKeysCliDeps } from './write-keys.commands.js';

/** Write-key lookups cached in process: answers reused for `ttlMs`, how long a revocation takes. */
export const cacheWriteKeyLookup = cacheKeyLookup;

/** The write keys' rate limit: a bucket per key, and one per client within a browser key's. */
export function createRateLimiter(redis: Redis, prefix: string): RateLimiter {
  return createKeyRateLimiter(redis, prefix, WRITE_KEYS);
}
