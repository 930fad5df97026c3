/** Write keys, their scopes and rate limits, of the collector: the API other modules and tests use. */
export {
  WRITE_KEY_HEADER,
  UNAUTHENTICATED_SOURCE,
  createIntakeGuard,
  type ClientLimits,
  type IntakeAuth,
  type IntakeGuard,
  type RefusalReason,
} from './intake-guard.js';
export { createRateLimiter, type RateLimiter, type RateVerdict } from './rate-limiter.js';
export {
  WRITE_KEY_KINDS,
  WRITE_SCOPES,
  generateWriteKey,
  hashWriteKey,
  isWellFormedWriteKey,
  keyAllows,
  keyId,
  type RateLimit,
  type WriteKeyKind,
  type WriteKeyRecord,
  type WriteScope,
} from './write-key.js';
export { UNKNOWN_CLIENT, clientOf, type ClientPrefixes } from './client-address.js';
export { cacheWriteKeyLookup, type WriteKeyLookup } from './write-key.cache.js';
export { REVOKED_KEY_RETENTION_S, writeKeyRedisKeys } from './write-key.redis-keys.js';
export {
  WriteKeyError,
  createWriteKeyStore,
  type CreatedWriteKey,
  type WriteKeyInput,
  type WriteKeyStore,
} from './write-key.store.js';
export { MIN_DEFAULT_BURST, runWriteKeys, type WriteKeysCliDeps } from './write-keys.commands.js';
