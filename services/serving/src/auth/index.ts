/** API keys with scopes and per-key rate limits of serving: the API other modules and tests use. */
export {
  API_KEY_PREFIX,
  API_SCOPES,
  KEY_ID_LENGTH,
  generateApiKey,
  hashApiKey,
  isWellFormedApiKey,
  keyId,
  scopeAllows,
  type ApiKeyRecord,
  type ApiScope,
  type RateLimit,
} from './api-key.js';
export { REVOKED_KEY_RETENTION_S, apiKeyRedisKeys } from './api-key.redis-keys.js';
export { ApiKeyError, createApiKeyStore, type ApiKeyStore, type CreatedApiKey } from './api-key.store.js';
export { cacheApiKeyLookup, type ApiKeyLookup } from './api-key.cache.js';
export { createRateLimiter, type RateLimiter, type RateVerdict } from './rate-limiter.js';
export {
  API_KEY_HEADER,
  AUTH_ERROR_CODES,
  createApiGuard,
  type ApiAuth,
  type ApiGuard,
  type RefusalReason,
} from './api-key.guard.js';
export { runServingKeys, type ServingKeysCliDeps } from './api-keys.commands.js';
