/** API keys with scopes and per-key rate limits of serving: the API other modules and tests use. */
import { cacheKeyLookup, createKeyRateLimiter, type RateLimiter } from '@recstream/access-keys';
import type { Redis } from '@recstream/redis';
import { API_KEYS } from './api-key.js';

export {
  API_KEYS,
  API_KEY_PREFIX,
  API_SCOPES,
  ApiKeyError,
  KEY_ID_LENGTH,
  apiKeyRedisKeys,
  generateApiKey,
  hashApiKey,
  isWellFormedApiKey,
  keyId,
  scopeAllows,
  type ApiKeyFields,
  type ApiKeyRecord,
  type ApiScope,
  type RateLimit,
} from './api-key.js';
export { REVOKED_KEY_RETENTION_S, type RateLimiter, type RateVerdict } from '@recstream/access-keys';
export { createApiKeyStore, type ApiKeyStore, type CreatedApiKey } from './api-key.store.js';
export {
  API_KEY_HEADER,
  AUTH_ERROR_CODES,
  createApiGuard,
  type ApiAuth,
  type ApiGuard,
  type ApiKeyLookup,
  type RefusalReason,
} from './api-key.guard.js';
export { runServingKeys, type ServingKeysCliDeps } from './api-keys.commands.js';

/** API-key lookups cached in process: answers reused for `ttlMs`, how long a revocation takes. */
export const cacheApiKeyLookup = cacheKeyLookup;

/** API keys' rate limit: a bucket per key; a campaign batch costs one per shopper in it. */
export function createRateLimiter(redis: Redis, prefix: string): RateLimiter {
  return createKeyRateLimiter(redis, prefix, API_KEYS);
}
