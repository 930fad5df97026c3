/**
 * The API-key store in Redis (layout in `api-key.redis-keys.ts`): issue, list, revoke, and look up
 * by hash. Redis failures become `TransientError(unavailable)` here, once; bad input (an invalid
 * name, scope or limit, a reference matching no key or several) is an `ApiKeyError` (permanent).
 */
import type { ChainableCommander, Redis } from 'ioredis';
import { ERROR_CODES, PermanentError, TransientError, errorMessage } from '@recstream/errors';
import {
  API_KEY_PREFIX,
  KEY_ID_LENGTH,
  KEY_NAME_PATTERN,
  generateApiKey,
  hashApiKey,
  isApiScope,
  isWellFormedApiKey,
  keyId,
  rateLimitProblems,
  type ApiKeyRecord,
  type ApiScope,
  type RateLimit,
} from './api-key.js';
import { REVOKED_KEY_RETENTION_S, apiKeyRedisKeys } from './api-key.redis-keys.js';

/** A hash prefix shorter than this would too easily match a key nobody meant. */
const MIN_REFERENCE_LENGTH = 6;
const REFERENCE_PATTERN = new RegExp(`^[0-9a-f]{${MIN_REFERENCE_LENGTH},64}$`);

export interface CreatedApiKey {
  /** The secret: shown to the operator once, never stored. */
  readonly key: string;
  readonly record: ApiKeyRecord;
}

export interface ApiKeyStore {
  create(input: { name: string; scope: ApiScope; limit: RateLimit; now?: Date }): Promise<CreatedApiKey>;
  /** Every key, active and revoked, by name then creation time. */
  list(): Promise<ApiKeyRecord[]>;
  /** Revokes the one key `reference` names: its id (or a longer prefix of its hash), or the key itself. */
  revoke(reference: string, now?: Date): Promise<ApiKeyRecord>;
  /** The record of a key by its hash; undefined when no such key exists (any more). */
  readonly lookup: (hash: string) => Promise<ApiKeyRecord | undefined>;
}

export class ApiKeyError extends PermanentError {
  constructor(message: string) {
    super(ERROR_CODES.invalidInput, message);
  }
}

/** Sets `revoked_at` and the retention expiry atomically; 0: no record, 1: revoked now, else the earlier time. */
const REVOKE = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local earlier = redis.call('HGET', KEYS[1], 'revoked_at')
if earlier then return earlier end
redis.call('HSET', KEYS[1], 'revoked_at', ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[2])
return 1
`;

async function redisCall<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (error instanceof TransientError) throw error;
    throw new TransientError(ERROR_CODES.unavailable, `api-key store unavailable: ${errorMessage(error)}`, {
      cause: error,
    });
  }
}

async function execPipeline<T>(pipeline: ChainableCommander): Promise<T[]> {
  const results = await pipeline.exec();
  if (results === null) throw new Error('transaction aborted');
  return results.map(([error, value]) => {
    if (error !== null) throw error;
    return value as T;
  });
}

function toRecord(hash: string, fields: Record<string, string>): ApiKeyRecord | undefined {
  // HGETALL answers {} for a key that does not exist.
  if (Object.keys(fields).length === 0) return undefined;
  const { name = '', scope = '', created_at: createdAt, revoked_at: revokedAt, rate, burst } = fields;
  const problems: string[] = [];
  if (!KEY_NAME_PATTERN.test(name)) problems.push(`name ${JSON.stringify(name)} is invalid`);
  if (!isApiScope(scope)) problems.push(`scope ${JSON.stringify(scope)} is invalid`);
  const record = {
    hash,
    name,
    scope: scope as ApiScope,
    createdAt: new Date(createdAt ?? ''),
    ...(revokedAt === undefined ? {} : { revokedAt: new Date(revokedAt) }),
    limit: { ratePerSecond: Number(rate), burst: Number(burst) },
  };
  problems.push(...rateLimitProblems(record.limit));
  if (Number.isNaN(record.createdAt.getTime())) problems.push('created_at is not a time');
  if (record.revokedAt !== undefined && Number.isNaN(record.revokedAt.getTime()))
    problems.push('revoked_at is not a time');
  // Only this module writes records: a malformed one is a bug or tampering, never a client's fault.
  if (problems.length > 0)
    throw new Error(`api-key record ${keyId(hash)} is malformed: ${problems.join('; ')}`);
  return record;
}

export function createApiKeyStore(redis: Redis, prefix: string): ApiKeyStore {
  const keys = apiKeyRedisKeys(prefix);

  async function lookup(hash: string): Promise<ApiKeyRecord | undefined> {
    return toRecord(hash, await redisCall(() => redis.hgetall(keys.record(hash))));
  }

  async function findByReference(reference: string): Promise<string> {
    const trimmed = reference.trim();
    if (trimmed.startsWith(API_KEY_PREFIX)) {
      if (!isWellFormedApiKey(trimmed))
        throw new ApiKeyError(
          `${API_KEY_PREFIX}… is not a complete API key (rs_ followed by 43 base64url characters)`,
        );
      return hashApiKey(trimmed);
    }
    const wanted = trimmed.toLowerCase();
    if (!REFERENCE_PATTERN.test(wanted))
      throw new ApiKeyError(
        `${JSON.stringify(reference)} names no key: give its key id (${KEY_ID_LENGTH} hex characters, as \`list\` shows), at least ${MIN_REFERENCE_LENGTH} hex characters of it, or the key itself`,
      );
    const matches = (await redisCall(() => redis.smembers(keys.index()))).filter((h) => h.startsWith(wanted));
    const [only, ...others] = matches;
    if (only === undefined) throw new ApiKeyError(`no API key has the id ${wanted}`);
    if (others.length > 0)
      throw new ApiKeyError(
        `${wanted} matches ${matches.length} keys (${matches.map(keyId).join(', ')}): give more characters of the id`,
      );
    return only;
  }

  return {
    async create({ name, scope, limit, now = new Date() }) {
      if (!KEY_NAME_PATTERN.test(name))
        throw new ApiKeyError(
          `name ${JSON.stringify(name)} is invalid: use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit`,
        );
      if (!isApiScope(scope))
        throw new ApiKeyError(`scope ${JSON.stringify(scope)} is invalid: read or admin`);
      const problems = rateLimitProblems(limit);
      if (problems.length > 0) throw new ApiKeyError(problems.join('; '));
      const key = generateApiKey();
      const hash = hashApiKey(key);
      const createdAt = new Date(now.toISOString());
      await redisCall(() =>
        execPipeline(
          redis
            .multi()
            .hset(keys.record(hash), {
              name,
              scope,
              created_at: createdAt.toISOString(),
              rate: String(limit.ratePerSecond),
              burst: String(limit.burst),
            })
            .sadd(keys.index(), hash),
        ),
      );
      return { key, record: { hash, name, scope, createdAt, limit } };
    },

    async list() {
      const hashes = await redisCall(() => redis.smembers(keys.index()));
      const pipeline = redis.pipeline();
      for (const hash of hashes) pipeline.hgetall(keys.record(hash));
      const replies = await redisCall(() => execPipeline<Record<string, string>>(pipeline));
      const records: ApiKeyRecord[] = [];
      const expired: string[] = [];
      hashes.forEach((hash, i) => {
        const record = toRecord(hash, replies[i] ?? {});
        if (record === undefined) expired.push(hash);
        else records.push(record);
      });
      // Revoked records expire after their retention: their index entries go with them.
      if (expired.length > 0) await redisCall(() => redis.srem(keys.index(), ...expired));
      return records.sort(
        (a, b) => a.name.localeCompare(b.name) || a.createdAt.getTime() - b.createdAt.getTime(),
      );
    },

    async revoke(reference, now = new Date()) {
      const hash = await findByReference(reference);
      const outcome = await redisCall(() =>
        redis.eval(REVOKE, 1, keys.record(hash), now.toISOString(), REVOKED_KEY_RETENTION_S),
      );
      if (outcome === 0) throw new ApiKeyError(`no API key has the id ${keyId(hash)}`);
      if (typeof outcome === 'string')
        throw new ApiKeyError(`API key ${keyId(hash)} was already revoked at ${outcome}`);
      const record = await lookup(hash);
      if (record === undefined) throw new ApiKeyError(`no API key has the id ${keyId(hash)}`);
      return record;
    },

    lookup,
  };
}
