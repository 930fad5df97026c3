/**
 * The API-key store in Redis (layout in `api-key.redis-keys.ts`): issue, list, revoke, and look up
 * by hash. Redis failures become `TransientError(unavailable)` here, once; bad input (an invalid
 * name, scope or limit, a reference matching no key or several) is an `ApiKeyError` (permanent).
 * The record mechanics shared with ingest's write keys are in @recstream/access-keys.
 */
import type { Redis } from 'ioredis';
import { createKeyRecords } from '@recstream/access-keys';
import { ERROR_CODES, PermanentError } from '@recstream/errors';
import {
  API_KEY_KIND,
  KEY_NAME_PATTERN,
  generateApiKey,
  hashApiKey,
  isApiScope,
  keyId,
  rateLimitProblems,
  type ApiKeyRecord,
  type ApiScope,
  type RateLimit,
} from './api-key.js';
import { apiKeyRedisKeys } from './api-key.redis-keys.js';

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

export function createApiKeyStore(redis: Redis, prefix: string): ApiKeyStore {
  const keys = apiKeyRedisKeys(prefix);
  const fail = (message: string) => new ApiKeyError(message);
  const records = createKeyRecords({ redis, kind: API_KEY_KIND, noun: 'API key', unit: 'requests', fail });

  const toRecord = (hash: string, fields: Record<string, string>): ApiKeyRecord | undefined =>
    records.parse(hash, fields, (base, problems) => {
      const { name = '', scope = '' } = fields;
      if (!KEY_NAME_PATTERN.test(name)) problems.push(`name ${JSON.stringify(name)} is invalid`);
      if (!isApiScope(scope)) problems.push(`scope ${JSON.stringify(scope)} is invalid`);
      return { ...base, name, scope: scope as ApiScope };
    });

  async function lookup(hash: string): Promise<ApiKeyRecord | undefined> {
    return toRecord(hash, await records.call(() => redis.hgetall(keys.record(hash))));
  }

  return {
    async create({ name, scope, limit, now = new Date() }) {
      if (!KEY_NAME_PATTERN.test(name))
        throw fail(
          `name ${JSON.stringify(name)} is invalid: use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit`,
        );
      if (!isApiScope(scope)) throw fail(`scope ${JSON.stringify(scope)} is invalid: read or admin`);
      const problems = rateLimitProblems(limit);
      if (problems.length > 0) throw fail(problems.join('; '));
      const key = generateApiKey();
      const hash = hashApiKey(key);
      const createdAt = new Date(now.toISOString());
      await records.call(() =>
        records.exec(
          redis
            .multi()
            .hset(keys.record(hash), { name, scope, ...records.storedFields(createdAt, limit) })
            .sadd(keys.index(), hash),
        ),
      );
      return { key, record: { hash, name, scope, createdAt, limit } };
    },

    async list() {
      const hashes = await records.call(() => redis.smembers(keys.index()));
      const pipeline = redis.pipeline();
      for (const hash of hashes) pipeline.hgetall(keys.record(hash));
      const replies = await records.call(() => records.exec<Record<string, string>>(pipeline));
      const found: ApiKeyRecord[] = [];
      const expired: string[] = [];
      hashes.forEach((hash, i) => {
        const record = toRecord(hash, replies[i] ?? {});
        if (record === undefined) expired.push(hash);
        else found.push(record);
      });
      // Revoked records expire after their retention: their index entries go with them.
      if (expired.length > 0) await records.call(() => redis.srem(keys.index(), ...expired));
      return found.sort(
        (a, b) => a.name.localeCompare(b.name) || a.createdAt.getTime() - b.createdAt.getTime(),
      );
    },

    async revoke(reference, now = new Date()) {
      const hash = await records.resolve(reference, async () =>
        (await records.call(() => redis.smembers(keys.index()))).map((candidate) => ({
          hash: candidate,
          label: keyId(candidate),
        })),
      );
      await records.revoke(keys.record(hash), hash, now);
      const record = await lookup(hash);
      if (record === undefined) throw fail(`no API key has the id ${keyId(hash)}`);
      return record;
    },

    lookup,
  };
}
