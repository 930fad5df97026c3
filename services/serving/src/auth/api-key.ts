/**
 * API keys: the secret a shop's front end or back end sends to serving (`Authorization: Bearer …`
 * or `x-api-key`). Same construction as ingest's write keys (services/ingest/src/auth/write-key.ts,
 * where the reasoning is written out): `rs_` + 32 random bytes in base64url, shown once, stored as
 * its SHA-256 only — a fast unsalted hash is right for a 256-bit random secret. The prefix differs
 * from write keys (`rk_`) so a key sent to the wrong service is recognised and named as such.
 */
import { createHash, randomBytes } from 'node:crypto';

export const API_KEY_PREFIX = 'rs_';
const API_KEY_PATTERN = /^rs_[A-Za-z0-9_-]{43}$/;
/** Ingest's write keys, recognised to tell a caller they sent the wrong kind of key. */
const WRITE_KEY_PATTERN = /^rk_[A-Za-z0-9_-]{43}$/;
const HASH_PATTERN = /^[0-9a-f]{64}$/;
/** Characters of the hash shown as a key's public id. */
export const KEY_ID_LENGTH = 8;

/**
 * `read`: the recommendation endpoints. `admin`: the operational endpoints (`/v1/admin/*`), and
 * everything `read` may do.
 */
export const API_SCOPES = ['read', 'admin'] as const;
export type ApiScope = (typeof API_SCOPES)[number];

/** Key names are labels for people (`shop-web`, `email-campaigns`), shown by `list`. */
export const KEY_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export interface RateLimit {
  /** Requests per second, sustained (a batch request costs one per shopper in it). */
  readonly ratePerSecond: number;
  /** Requests a key may make at once after being idle: the bucket's capacity. */
  readonly burst: number;
}

/** What is stored about a key; never the key itself. */
export interface ApiKeyRecord {
  /** SHA-256 of the key, lowercase hex. */
  readonly hash: string;
  readonly name: string;
  readonly scope: ApiScope;
  readonly createdAt: Date;
  readonly revokedAt?: Date;
  readonly limit: RateLimit;
}

export function generateApiKey(): string {
  return API_KEY_PREFIX + randomBytes(32).toString('base64url');
}

export function isWellFormedApiKey(candidate: string): boolean {
  return API_KEY_PATTERN.test(candidate);
}

export function looksLikeWriteKey(candidate: string): boolean {
  return WRITE_KEY_PATTERN.test(candidate);
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export function isKeyHash(candidate: string): boolean {
  return HASH_PATTERN.test(candidate);
}

/** The public name of a key: safe to print, log and type into `serving-keys revoke`. */
export function keyId(hash: string): string {
  return hash.slice(0, KEY_ID_LENGTH);
}

export function isApiScope(value: string): value is ApiScope {
  return (API_SCOPES as readonly string[]).includes(value);
}

/** Whether a key of scope `held` may call a route that needs `needed`. */
export function scopeAllows(held: ApiScope, needed: ApiScope): boolean {
  return held === 'admin' || held === needed;
}

/** Problems with a rate limit, as sentences; empty when it is valid. */
export function rateLimitProblems(limit: RateLimit): string[] {
  const problems: string[] = [];
  if (!Number.isSafeInteger(limit.ratePerSecond) || limit.ratePerSecond < 1)
    problems.push(
      `rate must be a whole number of requests per second, at least 1 (got ${limit.ratePerSecond})`,
    );
  if (!Number.isSafeInteger(limit.burst) || limit.burst < 1)
    problems.push(`burst must be a whole number of requests, at least 1 (got ${limit.burst})`);
  return problems;
}
