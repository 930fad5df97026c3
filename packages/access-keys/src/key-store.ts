/**
 * The store of one kind of access key (ingest's write keys, serving's API keys) in the durable
 * Redis: issue, list, revoke, and look up by hash. One hash per key, named by the key's SHA-256,
 * with `created_at`, `rate`, `burst`, the kind's own fields and, once revoked, `revoked_at` and an
 * expiry; an index of the keys that `list` and `revoke` read: one set of every key, or a set per
 * group (a write key's source) and a set of the groups. The names come from the kind's layout
 * (@recstream/redis key families).
 *
 * Redis failures reject as the client classified them (@recstream/redis); bad input (an invalid
 * field or limit, a reference matching no key or several) is the kind's `PermanentError`. A
 * malformed record is a bug or tampering, never a client's fault: a plain Error.
 */
import type { ChainableCommander, Redis } from 'ioredis';
import { luaScript } from '@recstream/redis';
import { rateLimitProblems, type RateLimit } from './rate-limit.js';
import { KEY_ID_LENGTH, hashSecret, keyId, type SecretKind } from './secret.js';

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
/**
 * Removes index entries whose record has expired, and the group itself once it has no keys.
 * Atomic, so a key created concurrently (its index entries are written in one MULTI) is never
 * left out of the index.
 */
const PRUNE_INDEX = new URL('./prune-key-index.lua', import.meta.url);

/** The fields every key record has. */
export interface KeyRecordBase {
  /** SHA-256 of the key, lowercase hex. */
  readonly hash: string;
  readonly createdAt: Date;
  readonly revokedAt?: Date;
  readonly limit: RateLimit;
}

/** The Redis keys of a kind (built from @recstream/redis key families). */
export interface AccessKeyLayout {
  record(hash: string): string;
  bucket(hash: string): string;
  /** A bucket within a key's (ingest: one per client of a browser key). */
  within?(hash: string, id: string): string;
  /** One set of every key, or one set per group and the set of groups. */
  readonly index:
    | { readonly all: () => string }
    | { readonly group: (name: string) => string; readonly groups: () => string };
}

/** One kind of access key: its secret, its words, its Redis layout and its own fields. */
export interface AccessKeyKind<R extends KeyRecordBase, I> {
  readonly secret: SecretKind;
  /** "write key", "API key": how messages name this kind. */
  readonly noun: string;
  /** What a rate limit counts, plural ("events", "requests"). */
  readonly unit: string;
  /** The kind's error for bad input (a `PermanentError`). */
  readonly fail: (message: string) => Error;
  readonly layout: (prefix: string) => AccessKeyLayout;
  /** The group a new key is indexed under, for a grouped index (a write key's source). */
  readonly groupOf?: (input: I) => string;
  /** Checks a group an operator names (`list --source`); throws `fail` when it is invalid. */
  readonly checkGroup?: (group: string) => void;
  /** Checks the kind's own input: throws its first error, or returns problems to report with the limit's. */
  readonly check: (input: I) => string[];
  /** The kind's own fields of a new key: as stored, and as its record has them. */
  readonly create: (input: I) => {
    readonly stored: Record<string, string>;
    readonly own: Omit<R, keyof KeyRecordBase>;
  };
  /** A record read back, its own fields from `fields`, listing what is malformed in `problems`. */
  readonly read: (fields: Record<string, string>, base: KeyRecordBase, problems: string[]) => R;
  /** What `list` orders by before the creation time (the source, the name). */
  readonly sortKey: (record: R) => string;
}

export interface CreatedKey<R> {
  /** The secret: shown to the operator once, never stored. */
  readonly key: string;
  readonly record: R;
}

export type KeyInput<I> = I & { readonly limit: RateLimit; readonly now?: Date };

export interface KeyStore<R extends KeyRecordBase, I> {
  create(input: KeyInput<I>): Promise<CreatedKey<R>>;
  /** Every key (of one group, if given), active and revoked, by `sortKey` then creation time. */
  list(group?: string): Promise<R[]>;
  /**
   * Revokes the one key that `reference` names: its key id (or a longer prefix of its hash), or
   * the key itself.
   */
  revoke(reference: string, now?: Date): Promise<R>;
  /**
   * The hash of the one key that `reference` names: its key id (or a longer prefix of its hash),
   * or the key itself. Fails when it names none, or several.
   */
  resolve(reference: string): Promise<string>;
  /** The record of a key by its hash; undefined when no such key exists (any more). */
  readonly lookup: (hash: string) => Promise<R | undefined>;
}

/** Executes a pipeline or MULTI; resolves with each reply, or rejects with the first error. */
async function exec<T>(pipeline: ChainableCommander): Promise<T[]> {
  const results = await pipeline.exec();
  if (results === null) throw new Error('transaction aborted');
  return results.map(([error, value]) => {
    if (error !== null) throw error;
    return value as T;
  });
}

export function createKeyStore<R extends KeyRecordBase, I>(
  redis: Redis,
  prefix: string,
  kind: AccessKeyKind<R, I>,
): KeyStore<R, I> {
  const { secret, noun, unit, fail } = kind;
  const layout = kind.layout(prefix);
  const index = layout.index;

  function parse(hash: string, fields: Record<string, string>): R | undefined {
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
    const record = kind.read(fields, base, problems);
    if (problems.length > 0)
      throw new Error(`${noun} record ${keyId(hash)} is malformed: ${problems.join('; ')}`);
    return record;
  }

  async function lookup(hash: string): Promise<R | undefined> {
    return parse(hash, await redis.hgetall(layout.record(hash)));
  }

  /** The hashes in the index, by group (one unnamed group for a flat index). */
  async function indexed(group?: string): Promise<Map<string | undefined, string[]>> {
    if ('all' in index) return new Map([[undefined, await redis.smembers(index.all())]]);
    const groups = group === undefined ? await redis.smembers(index.groups()) : [group];
    const pipeline = redis.pipeline();
    for (const name of groups) pipeline.smembers(index.group(name));
    const replies = await exec<string[]>(pipeline);
    return new Map(groups.map((name, i) => [name, replies[i] ?? []]));
  }

  /** Forgets index entries whose record expired (and an empty group). */
  async function prune(group: string | undefined, expired: string[], empty: boolean): Promise<void> {
    if ('all' in index) {
      if (expired.length > 0) await redis.srem(index.all(), ...expired);
    } else if (group !== undefined && (expired.length > 0 || empty)) {
      await redis.eval(luaScript(PRUNE_INDEX), 2, index.group(group), index.groups(), group, ...expired);
    }
  }

  async function resolve(reference: string): Promise<string> {
    const trimmed = reference.trim();
    if (trimmed.startsWith(secret.prefix)) {
      if (!secret.isWellFormed(trimmed))
        throw fail(
          `${secret.prefix}… is not a complete ${noun} (${secret.prefix} followed by 43 base64url characters)`,
        );
      return hashSecret(trimmed);
    }
    const wanted = trimmed.toLowerCase();
    if (!REFERENCE_PATTERN.test(wanted))
      throw fail(
        `${JSON.stringify(reference)} names no key: give its key id (${KEY_ID_LENGTH} hex characters, as \`list\` shows), at least ${MIN_REFERENCE_LENGTH} hex characters of it, or the key itself`,
      );
    const matches = [...(await indexed())].flatMap(([group, hashes]) =>
      hashes
        .filter((hash) => hash.startsWith(wanted))
        .map((hash) => ({ hash, label: group === undefined ? keyId(hash) : `${keyId(hash)} of ${group}` })),
    );
    const [only, ...others] = matches;
    if (only === undefined) throw fail(`no ${noun} has the id ${wanted}`);
    if (others.length > 0)
      throw fail(
        `${wanted} matches ${matches.length} keys (${matches.map((m) => m.label).join(', ')}): give more characters of the id`,
      );
    return only.hash;
  }

  return {
    async create(input) {
      const { limit, now = new Date() } = input;
      const own = kind.check(input);
      const problems = [...rateLimitProblems(limit, unit), ...own];
      if (problems.length > 0) throw fail(problems.join('; '));
      const created = kind.create(input);
      const key = secret.generate();
      const hash = hashSecret(key);
      const createdAt = new Date(now.toISOString());
      const transaction = redis.multi().hset(layout.record(hash), {
        ...created.stored,
        created_at: createdAt.toISOString(),
        rate: String(limit.ratePerSecond),
        burst: String(limit.burst),
      });
      if ('all' in index) transaction.sadd(index.all(), hash);
      else {
        const group = kind.groupOf?.(input) ?? '';
        transaction.sadd(index.group(group), hash).sadd(index.groups(), group);
      }
      await exec(transaction);
      return { key, record: { hash, createdAt, limit, ...created.own } as unknown as R };
    },

    async list(group) {
      if (group !== undefined) kind.checkGroup?.(group);
      const found: R[] = [];
      for (const [name, hashes] of await indexed(group)) {
        const pipeline = redis.pipeline();
        for (const hash of hashes) pipeline.hgetall(layout.record(hash));
        const replies = await exec<Record<string, string>>(pipeline);
        const expired: string[] = [];
        hashes.forEach((hash, i) => {
          const record = parse(hash, replies[i] ?? {});
          if (record === undefined) expired.push(hash);
          else found.push(record);
        });
        // Revoked records expire after their retention: their index entries go with them.
        await prune(name, expired, hashes.length === 0);
      }
      return found.sort(
        (a, b) =>
          kind.sortKey(a).localeCompare(kind.sortKey(b)) || a.createdAt.getTime() - b.createdAt.getTime(),
      );
    },

    async revoke(reference, now = new Date()) {
      const hash = await resolve(reference);
      const outcome = await redis.eval(
        luaScript(REVOKE),
        1,
        layout.record(hash),
        now.toISOString(),
        REVOKED_KEY_RETENTION_S,
      );
      if (outcome === 0) throw fail(`no ${noun} has the id ${keyId(hash)}`);
      if (typeof outcome === 'string') throw fail(`${noun} ${keyId(hash)} was already revoked at ${outcome}`);
      const record = await lookup(hash);
      if (record === undefined) throw fail(`no ${noun} has the id ${keyId(hash)}`);
      return record;
    },

    resolve,
    lookup,
  };
}
