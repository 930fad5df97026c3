/**
 * Write keys: the secret a source (a shop's web front, its app, a server-side SDK) sends in the
 * `x-write-key` header of every intake request. Built as every access key of the product
 * (@recstream/access-keys, where the reasoning is written out): `rk_` followed by 32 random bytes
 * in base64url, shown once at creation, stored as its SHA-256 only.
 *
 * A key has a kind and scopes:
 * - `browser`: public by design (page JavaScript, a mobile app), so anyone may hold it. It can only
 *   ever send events, and each client using it (its network address) has a rate limit of its own
 *   inside the key's, so one visitor cannot use up the limit every shopper of the source shares.
 * - `server`: held by the shop's own backend. Scopes `events` (POST /v1/events) and `catalog`
 *   (upserts and deletions of items), one or both.
 * - `legacy`: a key issued before kinds and scopes existed (its record has neither). The SDK README
 *   of the time put write keys in page JavaScript, so any of them may be public: it is read as a
 *   browser key (events only, per-client limit). A catalog loader holding one gets 403 naming the
 *   fix: a server key with the catalog scope.
 */
import { hashSecret, secretKind, rateLimitProblems as limitProblems } from '@recstream/access-keys';
import type { AccessKeyKind, KeyRecordBase, RateLimit } from '@recstream/access-keys';
import { ERROR_CODES, PermanentError } from '@recstream/errors';
import { keyBuilder } from '@recstream/redis';

export { KEY_ID_LENGTH, isKeyHash, keyId, type RateLimit } from '@recstream/access-keys';

export const WRITE_KEY_KIND = secretKind('rk_');
export const WRITE_KEY_PREFIX = WRITE_KEY_KIND.prefix;

/** Source names end up in every event's `source` field and in Redis key names. */
export const SOURCE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * Sources the pipeline writes itself, never a write key's: serving's impressions (which decide
 * experiment results, migration 0013) and the DLQ replay. A key with one of them could pass its
 * events off as serving's.
 */
export const RESERVED_SOURCES: ReadonlySet<string> = new Set(['serving', 'dlq-replay']);

/** Kinds a key can be issued as. */
export const WRITE_KEY_KINDS = ['browser', 'server'] as const;
export type WriteKeyKind = (typeof WRITE_KEY_KINDS)[number];

/** What a key may send: `events` to /v1/events, `catalog` to the item routes. */
export const WRITE_SCOPES = ['events', 'catalog'] as const;
export type WriteScope = (typeof WRITE_SCOPES)[number];

/** What is stored about a key; never the key itself. Its limit counts records (events or items). */
export interface WriteKeyRecord extends KeyRecordBase {
  readonly source: string;
  /** `legacy` when the record predates kinds (see above); never issued. */
  readonly kind: WriteKeyKind | 'legacy';
  /** Sorted, without repeats; never empty. */
  readonly scopes: readonly WriteScope[];
}

export function isWriteKeyKind(value: string): value is WriteKeyKind {
  return (WRITE_KEY_KINDS as readonly string[]).includes(value);
}

export function isWriteScope(value: string): value is WriteScope {
  return (WRITE_SCOPES as readonly string[]).includes(value);
}

/** The scopes a key of `kind` may hold. Never `catalog` for a key that may be public. */
export function kindScopes(kind: WriteKeyRecord['kind']): readonly WriteScope[] {
  return kind === 'server' ? WRITE_SCOPES : ['events'];
}

/** Problems with a key's kind and scopes, as sentences; empty when they are valid. */
export function scopeProblems(kind: string, scopes: readonly string[]): string[] {
  const problems: string[] = [];
  if (!isWriteKeyKind(kind)) problems.push(`kind ${JSON.stringify(kind)} is invalid: browser or server`);
  if (scopes.length === 0) problems.push('a key needs at least one scope: events, catalog');
  for (const scope of scopes)
    if (!isWriteScope(scope)) problems.push(`scope ${JSON.stringify(scope)} is invalid: events or catalog`);
  if (kind === 'browser' && scopes.includes('catalog'))
    problems.push(
      'a browser key can never have the catalog scope (anyone who loads the page has it): issue a server key for the catalog',
    );
  return problems;
}

/** Scopes in their stored order, without repeats. */
export function normaliseScopes(scopes: readonly WriteScope[]): WriteScope[] {
  return WRITE_SCOPES.filter((scope) => scopes.includes(scope));
}

/**
 * Whether a key may use a route that needs `scope`. The kind is checked again here, so that a
 * record that somehow pairs a public kind with `catalog` still cannot touch the catalog.
 */
export function keyAllows(record: Pick<WriteKeyRecord, 'kind' | 'scopes'>, scope: WriteScope): boolean {
  return record.scopes.includes(scope) && kindScopes(record.kind).includes(scope);
}

/** Whether each client of the key gets a rate limit of its own: keys anyone may hold. */
export function limitsClients(kind: WriteKeyRecord['kind']): boolean {
  return kind !== 'server';
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

/** The Redis keys of write keys (@recstream/redis families `write-key.*`, in the durable Redis). */
export function writeKeyRedisKeys(prefix: string) {
  return {
    record: keyBuilder('write-key.record', prefix),
    sourceIndex: keyBuilder('write-key.source-index', prefix),
    sources: keyBuilder('write-key.sources', prefix),
    bucket: keyBuilder('write-key.bucket', prefix),
    /** The bucket of one client of a key. */
    clientBucket: keyBuilder('write-key.client-bucket', prefix),
  };
}

export class WriteKeyError extends PermanentError {
  constructor(message: string) {
    super(ERROR_CODES.invalidInput, message);
  }
}

export function validateSource(source: string): void {
  if (!SOURCE_PATTERN.test(source))
    throw new WriteKeyError(
      `source ${JSON.stringify(source)} is invalid: use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit`,
    );
  if (RESERVED_SOURCES.has(source))
    throw new WriteKeyError(`source ${JSON.stringify(source)} is reserved for the pipeline's own events`);
}

/** What an operator gives for a new key, besides its limit. */
export interface WriteKeyFields {
  readonly source: string;
  /** Default `server`: programs issuing keys (tests, benchmarks) send from one machine. */
  readonly kind?: WriteKeyKind;
  /** Default `['events']`. A browser key can never have `catalog`. */
  readonly scopes?: readonly WriteScope[];
}

/** Write keys as an access-key kind (@recstream/access-keys): indexed by source. */
export const WRITE_KEYS: AccessKeyKind<WriteKeyRecord, WriteKeyFields> = {
  secret: WRITE_KEY_KIND,
  noun: 'write key',
  unit: 'events',
  fail: (message) => new WriteKeyError(message),
  layout: (prefix) => {
    const keys = writeKeyRedisKeys(prefix);
    return {
      record: keys.record,
      bucket: keys.bucket,
      within: keys.clientBucket,
      index: { group: keys.sourceIndex, groups: keys.sources },
    };
  },
  groupOf: (input) => input.source,
  checkGroup: validateSource,
  check: ({ source, kind = 'server', scopes = ['events'] }) => {
    validateSource(source);
    return scopeProblems(kind, scopes);
  },
  create: ({ source, kind = 'server', scopes = ['events'] }) => {
    const held = normaliseScopes(scopes);
    return { stored: { source, kind, scopes: held.join(',') }, own: { source, kind, scopes: held } };
  },
  read: (fields, base, problems) => {
    const source = fields['source'] ?? '';
    if (!SOURCE_PATTERN.test(source) || RESERVED_SOURCES.has(source))
      problems.push(`source ${JSON.stringify(source)} is invalid`);
    const { kind, scopes } = fields;
    // Issued before kinds and scopes existed: read as a key anyone may hold (see above).
    if (kind === undefined && scopes === undefined)
      return { ...base, source, kind: 'legacy', scopes: ['events'] };
    const listed = (scopes ?? '').split(',').filter((scope) => scope !== '');
    problems.push(...scopeProblems(kind ?? '', listed));
    return { ...base, source, kind: kind as WriteKeyKind, scopes: normaliseScopes(listed as WriteScope[]) };
  },
  sortKey: (record) => record.source,
};
