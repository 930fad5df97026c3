/**
 * API keys: the secret a shop's front end or back end sends to serving (`Authorization: Bearer …`
 * or `x-api-key`). Built as every access key of the product (@recstream/access-keys, where the
 * reasoning is written out): `rs_` + 32 random bytes in base64url, shown once, stored as its
 * SHA-256 only. The prefix differs from write keys (`rk_`) so a key sent to the wrong service is
 * recognised and named as such.
 */
import { hashSecret, secretKind, rateLimitProblems as limitProblems } from '@recstream/access-keys';
import type { KeyRecordBase, RateLimit } from '@recstream/access-keys';

export { KEY_ID_LENGTH, isKeyHash, keyId, type RateLimit } from '@recstream/access-keys';

export const API_KEY_KIND = secretKind('rs_');
export const API_KEY_PREFIX = API_KEY_KIND.prefix;
/** Ingest's write keys, recognised to tell a caller they sent the wrong kind of key. */
const WRITE_KEY_KIND = secretKind('rk_');

/**
 * `read`: the recommendation endpoints. `admin`: the operational endpoints (`/v1/admin/*`), and
 * everything `read` may do.
 */
export const API_SCOPES = ['read', 'admin'] as const;
export type ApiScope = (typeof API_SCOPES)[number];

/** Key names are labels for people (`shop-web`, `email-campaigns`), shown by `list`. */
export const KEY_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** What is stored about a key; never the key itself. Its limit counts requests. */
export interface ApiKeyRecord extends KeyRecordBase {
  readonly name: string;
  readonly scope: ApiScope;
}

export function generateApiKey(): string {
  return API_KEY_KIND.generate();
}

export function isWellFormedApiKey(candidate: string): boolean {
  return API_KEY_KIND.isWellFormed(candidate);
}

export function looksLikeWriteKey(candidate: string): boolean {
  return WRITE_KEY_KIND.isWellFormed(candidate);
}

export function hashApiKey(key: string): string {
  return hashSecret(key);
}

export function isApiScope(value: string): value is ApiScope {
  return (API_SCOPES as readonly string[]).includes(value);
}

/** Whether a key of scope `held` may call a route that needs `needed`. */
export function scopeAllows(held: ApiScope, needed: ApiScope): boolean {
  return held === 'admin' || held === needed;
}

/** Problems with an API key's rate limit, as sentences; empty when it is valid. */
export function rateLimitProblems(limit: RateLimit): string[] {
  return limitProblems(limit, 'requests');
}
