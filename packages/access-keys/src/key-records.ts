/**
 * How both key stores (ingest's write keys, serving's API keys) keep their records in Redis, where
 * they do it the same way: one hash per key, named by the key's SHA-256, with `created_at`, `rate`,
 * `burst` and, once revoked, `revoked_at` and an expiry. Each store adds its own fields, its index
 * and its Redis key layout. Redis failures become `TransientError(unavailable)` here, once; bad
 * input becomes the store's own `PermanentError`.
 */
import type { ChainableCommander, Redis } from 'ioredis';
import { ERROR_CODES, TransientError, errorMessage } from '@recstream/errors';
import { rateLimitProblems, type RateLimit } from './rate-limit.js';
import { KEY_ID_LENGTH, hashSecret, keyId, type SecretKind } from './secret.js';
import { luaScript } from '@recstream/redis';

/**
 * How long a revoked key's record is kept, so that a client still sending it is told "revoked"
 * rather than "unknown", and `list` shows it. After that it is as if it never existed.
 */
export const REVOKED_KEY_RETENTION_S = 90 * 24 * 60 * 60;

/** A hash prefix shorter than this would too easily match a key nobody meant. */
const MIN_REFERENCE_LENGTH = 6;
const REFERENCE_PATTERN = new RegExp(`^[0-9a-f]{${MIN_REFERENCE_LENGTH},64}$`);

/**
 * Sets `revoked_at` and the retention expiry, atomically, unless the record is gone or already
 * revoked. Returns 0 when there is no record, 1 when revoked now, or the earlier `revoked_at`.
 */
const REVOKE = new URL('./revoke-key.lua', import.meta.url);

/** The fields every key record has. */
export interface KeyRecordBase {
  /** SHA-256 of the key, lowercase hex. */
  readonly hash: string;
  readonly createdAt: Date;
  readonly revokedAt?: Date;
  readonly limit: RateLimit;
}

/** A key that a reference may name, and how a message names it among others. */
export interface ReferenceCandidate {
  readonly hash: string;
  readonly label: string;
}

export interface KeyRecordsOptions {
  readonly redis: Redis;
  readonly kind: SecretKind;
  /** "write key", "API key": how messages name this kind. */
  readonly noun: string;
  /** What a rate limit counts, plural ("events", "requests"). */
  readonly unit: string;
  /** The store's own error for bad input (a `PermanentError`). */
  readonly fail: (message: string) => Error;
}

export interface KeyRecords {
  /** Runs Redis commands (and nothing else), classifying any failure as transient. */
  call<T>(operation: () => Promise<T>): Promise<T>;
  /** Executes a pipeline or MULTI; resolves with each reply, or rejects with the first error. */
  exec<T>(pipeline: ChainableCommander): Promise<T[]>;
  /** The common fields as stored, for `HSET` beside the store's own. */
  storedFields(createdAt: Date, limit: RateLimit): Record<string, string>;
  /**
   * The record in `fields` (an `HGETALL` answer; undefined when empty), its own fields read by
   * `own`, which lists what is malformed in `problems`. Only the stores write records, so a
   * malformed one is a bug or tampering, never a client's fault: it throws a plain Error.
   */
  parse<R extends KeyRecordBase>(
    hash: string,
    fields: Record<string, string>,
    own: (base: KeyRecordBase, problems: string[]) => R,
  ): R | undefined;
  /**
   * The hash of the one key that `reference` names: its key id (or a longer prefix of its hash),
   * or the key itself. Fails when it names none, or several.
   */
  resolve(reference: string, candidates: () => Promise<readonly ReferenceCandidate[]>): Promise<string>;
  /** Revokes the record at `recordKey` as of `now`; fails when it is gone or was revoked before. */
  revoke(recordKey: string, hash: string, now: Date): Promise<void>;
}

export function createKeyRecords(options: KeyRecordsOptions): KeyRecords {
  const { redis, kind, noun, unit, fail } = options;

  async function call<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      if (error instanceof TransientError) throw error;
      throw new TransientError(ERROR_CODES.unavailable, `${noun} store unavailable: ${errorMessage(error)}`, {
        cause: error,
      });
    }
  }

  async function exec<T>(pipeline: ChainableCommander): Promise<T[]> {
    const results = await pipeline.exec();
    if (results === null) throw new Error('transaction aborted');
    return results.map(([error, value]) => {
      if (error !== null) throw error;
      return value as T;
    });
  }

  return {
    call,
    exec,

    storedFields: (createdAt, limit) => ({
      created_at: createdAt.toISOString(),
      rate: String(limit.ratePerSecond),
      burst: String(limit.burst),
    }),

    parse(hash, fields, own) {
      // HGETALL answers {} for a key that does not exist.
      if (Object.keys(fields).length === 0) return undefined;
      const { created_at: createdAt, revoked_at: revokedAt, rate, burst } = fields;
      const base: KeyRecordBase = {
        hash,
        createdAt: new Date(createdAt ?? ''),
        ...(revokedAt === undefined ? {} : { revokedAt: new Date(revokedAt) }),
        limit: { ratePerSecond: Number(rate), burst: Number(burst) },
      };
      const problems = rateLimitProblems(base.limit, unit);
      if (Number.isNaN(base.createdAt.getTime())) problems.push('created_at is not a time');
      if (base.revokedAt !== undefined && Number.isNaN(base.revokedAt.getTime()))
        problems.push('revoked_at is not a time');
      const record = own(base, problems);
      if (problems.length > 0)
        throw new Error(`${noun} record ${keyId(hash)} is malformed: ${problems.join('; ')}`);
      return record;
    },

    async resolve(reference, candidates) {
      const trimmed = reference.trim();
      if (trimmed.startsWith(kind.prefix)) {
        if (!kind.isWellFormed(trimmed))
          throw fail(
            `${kind.prefix}… is not a complete ${noun} (${kind.prefix} followed by 43 base64url characters)`,
          );
        return hashSecret(trimmed);
      }
      const wanted = trimmed.toLowerCase();
      if (!REFERENCE_PATTERN.test(wanted))
        throw fail(
          `${JSON.stringify(reference)} names no key: give its key id (${KEY_ID_LENGTH} hex characters, as \`list\` shows), at least ${MIN_REFERENCE_LENGTH} hex characters of it, or the key itself`,
        );
      const matches = (await candidates()).filter((candidate) => candidate.hash.startsWith(wanted));
      const [only, ...others] = matches;
      if (only === undefined) throw fail(`no ${noun} has the id ${wanted}`);
      if (others.length > 0)
        throw fail(
          `${wanted} matches ${matches.length} keys (${matches.map((m) => m.label).join(', ')}): give more characters of the id`,
        );
      return only.hash;
    },

    async revoke(recordKey, hash, now) {
      const outcome = await call(() =>
        redis.eval(luaScript(REVOKE), 1, recordKey, now.toISOString(), REVOKED_KEY_RETENTION_S),
      );
      if (outcome === 0) throw fail(`no ${noun} has the id ${keyId(hash)}`);
      if (typeof outcome === 'string') throw fail(`${noun} ${keyId(hash)} was already revoked at ${outcome}`);
    },
  };
}
