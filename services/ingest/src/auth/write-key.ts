/**
 * Write keys: the secret a source (a shop's web front, its app, a server-side SDK) sends in the
 * `x-write-key` header of every intake request. Built as every access key of the product
 * (@recstream/access-keys, where the reasoning is written out): `rk_` followed by 32 random bytes
 * in base64url, shown once at creation, stored as its SHA-256 only.
 */
import { hashSecret, secretKind, rateLimitProblems as limitProblems } from '@recstream/access-keys';
import type { KeyRecordBase, RateLimit } from '@recstream/access-keys';

export { KEY_ID_LENGTH, isKeyHash, keyId, type RateLimit } from '@recstream/access-keys';

export const WRITE_KEY_KIND = secretKind('rk_');
export const WRITE_KEY_PREFIX = WRITE_KEY_KIND.prefix;

/** Source names end up in every event's `source` field and in Redis key names. */
export const SOURCE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** What is stored about a key; never the key itself. Its limit counts records (events or items). */
export interface WriteKeyRecord extends KeyRecordBase {
  readonly source: string;
}

export function generateWriteKey(): string {
  return WRITE_KEY_KIND.generate();
}

export function isWellFormedWriteKey(candidate: string): boolean {
  return WRITE_KEY_KIND.isWellFormed(candidate);
}

export function hashWriteKey(key: string): string {
  return hashSecret(key);
}

/** Problems with a write key's rate limit, as sentences; empty when it is valid. */
export function rateLimitProblems(limit: RateLimit): string[] {
  return limitProblems(limit, 'events');
}
