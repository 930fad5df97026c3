/**
 * API-key lookups, cached in process (@recstream/redis `cacheLookup`, as ingest's write keys:
 * answers reused for `ttlMs`, the longest a revocation takes to reach a running instance).
 */
import { cacheLookup, type Lookup, type LookupCacheOptions } from '@recstream/redis';
import type { ApiKeyRecord } from './api-key.js';

export type ApiKeyLookup = Lookup<ApiKeyRecord>;

export function cacheApiKeyLookup(lookup: ApiKeyLookup, options: LookupCacheOptions): ApiKeyLookup {
  return cacheLookup(lookup, options);
}
