/**
 * The write-key store in Redis (layout in `write-key.redis-keys.ts`): issue, list, revoke, and
 * look up by hash. Redis failures become `TransientError(unavailable)` here, once; bad input
 * (an invalid source or limit, a reference matching no key or several) is a `PermanentError`.
 * The record mechanics shared with serving's API keys are in @recstream/access-keys.
 */
import type { Redis } from 'ioredis';
import { createKeyRecords } from '@recstream/access-keys';
import { ERROR_CODES, PermanentError } from '@recstream/errors';
import {
  RESERVED_SOURCES,
  SOURCE_PATTERN,
  WRITE_KEY_KIND,
  generateWriteKey,
  hashWriteKey,
  keyId,
  normaliseScopes,
  rateLimitProblems,
  scopeProblems,
  type RateLimit,
  type WriteKeyKind,
  type WriteKeyRecord,
  type WriteScope,
} from './write-key.js';
import { writeKeyRedisKeys } from './write-key.redis-keys.js';
import { luaScript } from '@recstream/redis';

export interface CreatedWriteKey {
  /** The secret: shown to the operator once, never stored. */
  readonly key: string;
  readonly record: WriteKeyRecord;
}

export interface WriteKeyInput {
  readonly source: string;
  readonly limit: RateLimit;
  /** Default `server`: programs issuing keys (tests, benchmarks) send from one machine. */
  readonly kind?: WriteKeyKind;
  /** Default `['events']`. A browser key can never have `catalog`. */
  readonly scopes?: readonly WriteScope[];
  readonly now?: Date;
}

export interface WriteKeyStore {
  create(input: WriteKeyInput): Promise<CreatedWriteKey>;
  /** Every key (of one source, if given), active and revoked, by source then creation time. */
  list(options?: { source?: string }): Promise<WriteKeyRecord[]>;
  /**
   * Revokes the one key that `reference` names: its key id (or a longer prefix of its hash), or
   * the key itself.
   */
  revoke(reference: string, now?: Date): Promise<WriteKeyRecord>;
  /** The record of a key by its hash; undefined when no such key exists (any more). */
  readonly lookup: (hash: string) => Promise<WriteKeyRecord | undefined>;
}

export class WriteKeyError extends PermanentError {
  constructor(message: string) {
    super(ERROR_CODES.invalidInput, message);
  }
}

/**
 * Removes index entries whose record has expired, and the source itself once it has no keys.
 * Atomic, so a key created concurrently (its index entries are written in one MULTI) is never
 * left out of the index.
 */
const PRUNE_INDEX = new URL('./prune-key-index.lua', import.meta.url);

export function validateSource(source: string): void {
  if (!SOURCE_PATTERN.test(source))
    throw new WriteKeyError(
      `source ${JSON.stringify(source)} is invalid: use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit`,
    );
  if (RESERVED_SOURCES.has(source))
    throw new WriteKeyError(`source ${JSON.stringify(source)} is reserved for the pipeline's own events`);
}

export function createWriteKeyStore(redis: Redis, prefix: string): WriteKeyStore {
  const keys = writeKeyRedisKeys(prefix);
  const records = createKeyRecords({
    redis,
    kind: WRITE_KEY_KIND,
    noun: 'write key',
    unit: 'events',
    fail: (message) => new WriteKeyError(message),
  });

  const toRecord = (hash: string, fields: Record<string, string>): WriteKeyRecord | undefined =>
    records.parse(hash, fields, (base, problems) => {
      const source = fields['source'] ?? '';
      if (!SOURCE_PATTERN.test(source) || RESERVED_SOURCES.has(source))
        problems.push(`source ${JSON.stringify(source)} is invalid`);
      const { kind, scopes } = fields;
      // Issued before kinds and scopes existed: read as a key anyone may hold (write-key.ts).
      if (kind === undefined && scopes === undefined)
        return { ...base, source, kind: 'legacy', scopes: ['events'] };
      const listed = (scopes ?? '').split(',').filter((scope) => scope !== '');
      problems.push(...scopeProblems(kind ?? '', listed));
      return { ...base, source, kind: kind as WriteKeyKind, scopes: normaliseScopes(listed as WriteScope[]) };
    });

  async function lookup(hash: string): Promise<WriteKeyRecord | undefined> {
    return toRecord(hash, await records.call(() => redis.hgetall(keys.record(hash))));
  }

  /** The hashes indexed under each source; all sources unless one is given. */
  async function indexedHashes(source?: string): Promise<Map<string, string[]>> {
    return records.call(async () => {
      const sources = source === undefined ? await redis.smembers(keys.sources()) : [source];
      const pipeline = redis.pipeline();
      for (const name of sources) pipeline.smembers(keys.sourceIndex(name));
      const replies = await records.exec<string[]>(pipeline);
      return new Map(sources.map((name, i) => [name, replies[i] ?? []]));
    });
  }

  return {
    async create({ source, limit, kind = 'server', scopes = ['events'], now = new Date() }) {
      validateSource(source);
      const problems = [...rateLimitProblems(limit), ...scopeProblems(kind, scopes)];
      if (problems.length > 0) throw new WriteKeyError(problems.join('; '));
      const held = normaliseScopes(scopes);
      const key = generateWriteKey();
      const hash = hashWriteKey(key);
      const createdAt = new Date(now.toISOString());
      await records.call(() =>
        records.exec(
          redis
            .multi()
            .hset(keys.record(hash), {
              source,
              kind,
              scopes: held.join(','),
              ...records.storedFields(createdAt, limit),
            })
            .sadd(keys.sourceIndex(source), hash)
            .sadd(keys.sources(), source),
        ),
      );
      return { key, record: { hash, source, kind, scopes: held, createdAt, limit } };
    },

    async list(options = {}) {
      if (options.source !== undefined) validateSource(options.source);
      const found: WriteKeyRecord[] = [];
      for (const [source, hashes] of await indexedHashes(options.source)) {
        const pipeline = redis.pipeline();
        for (const hash of hashes) pipeline.hgetall(keys.record(hash));
        const replies = await records.call(() => records.exec<Record<string, string>>(pipeline));
        const expired: string[] = [];
        hashes.forEach((hash, i) => {
          const record = toRecord(hash, replies[i] ?? {});
          if (record === undefined) expired.push(hash);
          else found.push(record);
        });
        if (expired.length > 0 || hashes.length === 0)
          await records.call(() =>
            redis.eval(
              luaScript(PRUNE_INDEX),
              2,
              keys.sourceIndex(source),
              keys.sources(),
              source,
              ...expired,
            ),
          );
      }
      return found.sort(
        (a, b) => a.source.localeCompare(b.source) || a.createdAt.getTime() - b.createdAt.getTime(),
      );
    },

    async revoke(reference, now = new Date()) {
      const hash = await records.resolve(reference, async () =>
        [...(await indexedHashes())].flatMap(([source, hashes]) =>
          hashes.map((candidate) => ({ hash: candidate, label: `${keyId(candidate)} of ${source}` })),
        ),
      );
      await records.revoke(keys.record(hash), hash, now);
      const record = await lookup(hash);
      if (record === undefined) throw new WriteKeyError(`no write key has the id ${keyId(hash)}`);
      return record;
    },

    lookup,
  };
}
