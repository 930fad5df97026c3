/**
 * The write-key store in Redis (layout in `write-key.redis-keys.ts`): issue, list, revoke, and
 * look up by hash. Redis failures become `TransientError(unavailable)` here, once; bad input
 * (an invalid source or limit, a reference matching no key or several) is a `PermanentError`.
 */
import type { ChainableCommander, Redis } from 'ioredis';
import { ERROR_CODES, PermanentError, TransientError, errorMessage } from '@recstream/errors';
import {
  KEY_ID_LENGTH,
  SOURCE_PATTERN,
  WRITE_KEY_PREFIX,
  generateWriteKey,
  hashWriteKey,
  isWellFormedWriteKey,
  keyId,
  rateLimitProblems,
  type RateLimit,
  type WriteKeyRecord,
} from './write-key.js';
import { REVOKED_KEY_RETENTION_S, writeKeyRedisKeys } from './write-key.redis-keys.js';

/** A hash prefix shorter than this would too easily match a key nobody meant. */
const MIN_REFERENCE_LENGTH = 6;
const REFERENCE_PATTERN = new RegExp(`^[0-9a-f]{${MIN_REFERENCE_LENGTH},64}$`);

export interface CreatedWriteKey {
  /** The secret: shown to the operator once, never stored. */
  readonly key: string;
  readonly record: WriteKeyRecord;
}

export interface WriteKeyStore {
  create(input: { source: string; limit: RateLimit; now?: Date }): Promise<CreatedWriteKey>;
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
 * Sets `revoked_at` and the retention expiry, atomically, unless the record is gone or already
 * revoked. Returns 0 when there is no record, 1 when revoked now, or the earlier `revoked_at`.
 */
const REVOKE = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local earlier = redis.call('HGET', KEYS[1], 'revoked_at')
if earlier then return earlier end
redis.call('HSET', KEYS[1], 'revoked_at', ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[2])
return 1
`;

/**
 * Removes index entries whose record has expired, and the source itself once it has no keys.
 * Atomic, so a key created concurrently (its index entries are written in one MULTI) is never
 * left out of the index.
 */
const PRUNE_INDEX = `
for i = 2, #ARGV do redis.call('SREM', KEYS[1], ARGV[i]) end
if redis.call('SCARD', KEYS[1]) == 0 then redis.call('SREM', KEYS[2], ARGV[1]) end
return 1
`;

function unavailable(error: unknown): TransientError {
  return new TransientError(ERROR_CODES.unavailable, `write-key store unavailable: ${errorMessage(error)}`, {
    cause: error,
  });
}

/** Runs Redis commands (and nothing else), classifying any failure as transient. */
async function redisCall<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    throw error instanceof TransientError ? error : unavailable(error);
  }
}

/** Executes a pipeline or MULTI; resolves with each reply, or rejects with the first error. */
async function execPipeline<T>(pipeline: ChainableCommander): Promise<T[]> {
  const results = await pipeline.exec();
  if (results === null) throw new Error('transaction aborted');
  return results.map(([error, value]) => {
    if (error !== null) throw error;
    return value as T;
  });
}

function toRecord(hash: string, fields: Record<string, string>): WriteKeyRecord | undefined {
  // HGETALL answers {} for a key that does not exist.
  if (Object.keys(fields).length === 0) return undefined;
  const { source, created_at: createdAt, revoked_at: revokedAt, rate, burst } = fields;
  const record: WriteKeyRecord = {
    hash,
    source: source ?? '',
    createdAt: new Date(createdAt ?? ''),
    ...(revokedAt === undefined ? {} : { revokedAt: new Date(revokedAt) }),
    limit: { ratePerSecond: Number(rate), burst: Number(burst) },
  };
  const problems = rateLimitProblems(record.limit);
  if (!SOURCE_PATTERN.test(record.source)) problems.push(`source ${JSON.stringify(source)} is invalid`);
  if (Number.isNaN(record.createdAt.getTime())) problems.push('created_at is not a time');
  if (record.revokedAt !== undefined && Number.isNaN(record.revokedAt.getTime()))
    problems.push('revoked_at is not a time');
  // Only this module writes records: a malformed one is a bug or tampering, never a client's fault.
  if (problems.length > 0)
    throw new Error(`write-key record ${keyId(hash)} is malformed: ${problems.join('; ')}`);
  return record;
}

export function validateSource(source: string): void {
  if (!SOURCE_PATTERN.test(source))
    throw new WriteKeyError(
      `source ${JSON.stringify(source)} is invalid: use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit`,
    );
}

export function createWriteKeyStore(redis: Redis, prefix: string): WriteKeyStore {
  const keys = writeKeyRedisKeys(prefix);

  async function lookup(hash: string): Promise<WriteKeyRecord | undefined> {
    const fields = await redisCall(() => redis.hgetall(keys.record(hash)));
    return toRecord(hash, fields);
  }

  /** The hashes indexed under each source; all sources unless one is given. */
  async function indexedHashes(source?: string): Promise<Map<string, string[]>> {
    return redisCall(async () => {
      const sources = source === undefined ? await redis.smembers(keys.sources()) : [source];
      const pipeline = redis.pipeline();
      for (const name of sources) pipeline.smembers(keys.sourceIndex(name));
      const replies = await execPipeline<string[]>(pipeline);
      return new Map(sources.map((name, i) => [name, replies[i] ?? []]));
    });
  }

  async function findByReference(reference: string): Promise<string> {
    const trimmed = reference.trim();
    if (trimmed.startsWith(WRITE_KEY_PREFIX)) {
      if (!isWellFormedWriteKey(trimmed))
        throw new WriteKeyError(
          `${WRITE_KEY_PREFIX}… is not a complete write key (rk_ followed by 43 base64url characters)`,
        );
      return hashWriteKey(trimmed);
    }
    const wanted = trimmed.toLowerCase();
    if (!REFERENCE_PATTERN.test(wanted))
      throw new WriteKeyError(
        `${JSON.stringify(reference)} names no key: give its key id (${KEY_ID_LENGTH} hex characters, as \`list\` shows), at least ${MIN_REFERENCE_LENGTH} hex characters of it, or the key itself`,
      );
    const matches: { hash: string; source: string }[] = [];
    for (const [source, hashes] of await indexedHashes()) {
      for (const hash of hashes) if (hash.startsWith(wanted)) matches.push({ hash, source });
    }
    const [only, ...others] = matches;
    if (only === undefined) throw new WriteKeyError(`no write key has the id ${wanted}`);
    if (others.length > 0)
      throw new WriteKeyError(
        `${wanted} matches ${matches.length} keys (${matches
          .map((m) => `${keyId(m.hash)} of ${m.source}`)
          .join(', ')}): give more characters of the id`,
      );
    return only.hash;
  }

  return {
    async create({ source, limit, now = new Date() }) {
      validateSource(source);
      const problems = rateLimitProblems(limit);
      if (problems.length > 0) throw new WriteKeyError(problems.join('; '));
      const key = generateWriteKey();
      const hash = hashWriteKey(key);
      const createdAt = new Date(now.toISOString());
      await redisCall(() =>
        execPipeline(
          redis
            .multi()
            .hset(keys.record(hash), {
              source,
              created_at: createdAt.toISOString(),
              rate: String(limit.ratePerSecond),
              burst: String(limit.burst),
            })
            .sadd(keys.sourceIndex(source), hash)
            .sadd(keys.sources(), source),
        ),
      );
      return { key, record: { hash, source, createdAt, limit } };
    },

    async list(options = {}) {
      if (options.source !== undefined) validateSource(options.source);
      const records: WriteKeyRecord[] = [];
      for (const [source, hashes] of await indexedHashes(options.source)) {
        const pipeline = redis.pipeline();
        for (const hash of hashes) pipeline.hgetall(keys.record(hash));
        const replies = await redisCall(() => execPipeline<Record<string, string>>(pipeline));
        const expired: string[] = [];
        hashes.forEach((hash, i) => {
          const record = toRecord(hash, replies[i] ?? {});
          if (record === undefined) expired.push(hash);
          else records.push(record);
        });
        if (expired.length > 0 || hashes.length === 0)
          await redisCall(() =>
            redis.eval(PRUNE_INDEX, 2, keys.sourceIndex(source), keys.sources(), source, ...expired),
          );
      }
      return records.sort(
        (a, b) => a.source.localeCompare(b.source) || a.createdAt.getTime() - b.createdAt.getTime(),
      );
    },

    async revoke(reference, now = new Date()) {
      const hash = await findByReference(reference);
      const outcome = await redisCall(() =>
        redis.eval(REVOKE, 1, keys.record(hash), now.toISOString(), REVOKED_KEY_RETENTION_S),
      );
      if (outcome === 0) throw new WriteKeyError(`no write key has the id ${keyId(hash)}`);
      if (typeof outcome === 'string')
        throw new WriteKeyError(`write key ${keyId(hash)} was already revoked at ${outcome}`);
      const record = await lookup(hash);
      if (record === undefined) throw new WriteKeyError(`no write key has the id ${keyId(hash)}`);
      return record;
    },

    lookup,
  };
}
