/**
 * API keys: the secret a shop's front end or back end sends to serving (`Authorization: Bearer …`
 * or `x-api-key`). Built as every access key of the product (@recstream/access-keys, where the
 * reasoning is written out): `rs_` + 32 random bytes in base64url, shown once, stored as its
 * SHA-256 only. The prefix differs from write keys (`rk_`) so a key sent to the wrong service is
 * recognised and named as such.
 */
import { hashSecret, secretKind, rateLimitProblems as limitProblems } from '@recstream/access-keys';
import type { AccessKeyKind, KeyRecordBase, RateLimit } from '@recstream/access-keys';
import { ERROR_CODES, PermanentError } from '@recstream/errors';
import { keyBuilder } from '@recstream/redis';

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

/** The Redis keys of API keys (@recstream/redis families `api-key.*`, in the durable Redis). */
export function apiKeyRedisKeys(prefix: string) {
  return {
    record: keyBuilder('api-key.record', prefix),
    index: keyBuilder('api-key.index', prefix),
    bucket: keyBuilder('api-key.bucket', prefix),
  };
}

export class ApiKeyError extends PermanentError {
  constructor(message: string) {
    super(ERROR_CODES.invalidInput, message);
  }
}

/** What an operator gives for a new key, besides its limit. */
export interface ApiKeyFields {
  readonly name: string;
  readonly scope: ApiScope;
}

/** API keys as an access-key kind (@recstream/access-keys): one index of every key. */
export const API_KEYS: AccessKeyKind<ApiKeyRecord, ApiKeyFields> = {
  secret: API_KEY_KIND,
  noun: 'API key',
  unit: 'requests',
  fail: (message) => new ApiKeyError(message),
  layout: (prefix) => {
    const keys = apiKeyRedisKeys(prefix);
    return { record: keys.record, bucket: keys.bucket, index: { all: keys.index } };
  },
  check: ({ name, scope }) => {
    if (!KEY_NAME_PATTERN.test(name))
      throw new ApiKeyError(
        `name ${JSON.stringify(name)} is invalid: use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit`,
      );
    if (!isApiScope(scope)) throw new ApiKeyError(`scope ${JSON.stringify(scope)} is invalid: read or admin`);
    return [];
  },
  create: ({ name, scope }) => ({ stored: { name, scope }, own: { name, scope } }),
  read: (fields, base, problems) => {
    const { name = '', scope = '' } = fields;
    if (!KEY_NAME_PATTERN.test(name)) problems.push(`name ${JSON.stringify(name)} is invalid`);
    if (!isApiScope(scope)) problems.push(`scope ${JSON.stringify(scope)} is invalid`);
    return { ...base, name, scope: scope as ApiScope };
  },
  sortKey: (record) => record.name,
};
