/**
 * Write-key lookups, cached in process (@recstream/redis `cacheLookup`: answers reused for
 * `ttlMs`, the longest a revocation takes to reach a running collector).
 */
import { cacheLookup, type Lookup, type LookupCacheOptions } from '@recstream/redis';
import type { WriteKeyRecord } from './write-key.js';

export type WriteKeyLookup = Lookup<WriteKeyRecord>;

export function cacheWriteKeyLookup(lookup: WriteKeyLookup, options: LookupCacheOptions): WriteKeyLookup {
  return cacheLookup(lookup, options);
}
