/**
 * Reads a shopper's features in one round trip: a read-only Lua script resolves the subject and
 * reads its sorted sets, so the alias of an anonymous subject (written at login) is followed
 * without a second trip. The script builds the keys of the subject it resolves, so they cannot be
 * declared up front; like the feature store, it assumes the one Redis primary the product runs on.
 * Key names still come from keys.ts: the script only puts the subject between each family's
 * prefix and suffix. It is flagged `no-writes` (Redis 7+), so a replica or a Redis at maxmemory
 * still runs it.
 */
import type { Redis, Result } from 'ioredis';
import { AFFINITY_MAX, CART_MAX, PURCHASED_MAX, SEARCHES_MAX, SEQUENCE_MAX } from './bounds.js';
import { anonymousSubject, featureKeys, userSubject, type FeatureKeys } from './keys.js';
import { readTime, resultLimit } from './limits.js';
import { parseScored, type ScoredMember } from './replies.js';
import {
  liveCart,
  mergeLog,
  mergeMax,
  toAffinities,
  toSequence,
  type SubjectFeatures,
  type TimedItem,
} from './subject-features.js';

/** The result types live with the pure steps that build them. */
export type {
  Affinity,
  RecentSearch,
  SequenceEntry,
  SubjectFeatures,
  TimedItem,
} from './subject-features.js';
import { luaScript } from '@recstream/redis';

/** Who is asking: a logged-in user, a device, a session (the first two may come together). */
export interface SubjectIds {
  readonly userId?: string | undefined;
  readonly anonymousId?: string | undefined;
  readonly sessionId?: string | undefined;
}

/** How much of each list to return (each defaults to everything kept: the family's cap in bounds.ts). */
export interface SubjectReadOptions {
  /** Time the affinities are decayed to; defaults to the clock. */
  readonly nowMs?: number;
  readonly sequenceLimit?: number;
  readonly affinityLimit?: number;
  readonly searchesLimit?: number;
  readonly cartLimit?: number;
  readonly purchasedLimit?: number;
}

/** The subject's families, in the order the script reads them. */
const FAMILIES = [
  'subjectSequence',
  'subjectCategoryAffinity',
  'subjectBrandAffinity',
  'subjectSearches',
  'subjectCart',
  'subjectCartRemovals',
  'subjectPurchased',
] as const satisfies readonly (keyof FeatureKeys)[];
type Family = (typeof FAMILIES)[number];

/**
 * ARGV: [1] user subject or '', [2] anonymous subject or '', [3] its alias key or '',
 * then per family (FAMILIES order) key prefix, key suffix and how many members to read.
 * Returns { subject read, its sets, [anonymous subject, its sets] }: the second pair only when a
 * user id came with an anonymous subject that has no alias yet (its features are not merged).
 */
const READ_SUBJECT_LUA = new URL('./read-subject.lua', import.meta.url);

const COMMAND = 'recReadSubjectFeatures';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    recReadSubjectFeatures(numberOfKeys: number, ...args: (string | number)[]): Result<unknown[], Context>;
  }
}

const defined = new WeakSet<Redis>();
function withScript(redis: Redis): Redis {
  if (!defined.has(redis)) {
    redis.defineCommand(COMMAND, { lua: luaScript(READ_SUBJECT_LUA) });
    defined.add(redis);
  }
  return redis;
}

/** `keys.<family>(subject)` as prefix and suffix around the subject. */
function affixes(keys: FeatureKeys, family: Family): [string, string] {
  const marker = '\u0000subject\u0000';
  const key = keys[family](marker);
  const at = key.indexOf(marker);
  return [key.slice(0, at), key.slice(at + marker.length)];
}

const nonEmpty = (id: string | undefined): string | undefined => (id === '' ? undefined : id);

function emptyFeatures(subject: string | undefined): SubjectFeatures {
  return {
    subject,
    mergedAnonymous: undefined,
    sequence: [],
    categoryAffinities: [],
    brandAffinities: [],
    searches: [],
    cart: [],
    purchased: [],
  };
}

const toTimedItems = (members: readonly ScoredMember[]): TimedItem[] =>
  members.map(({ member, score }) => ({ itemId: member, timeMs: score }));

/**
 * A shopper's online features, in one round trip.
 *
 * The subject is the user when `userId` is given; otherwise the anonymous subject (`anonymousId`,
 * else `sessionId`), followed to the user it logged in as when the feature service recorded that
 * login. When a user id comes with an anonymous id whose login has not been processed yet, the
 * anonymous features are added to the user's, as the login merge will (`mergedAnonymous` says so).
 * Empty ids count as absent; no id gives empty features. Lists are newest first, affinities best
 * first and decayed to `options.nowMs`. Throws a RangeError for a non-integer limit or an unusable
 * clock, and passes Redis errors on.
 */
export async function readSubjectFeatures(
  redis: Redis,
  prefix: string,
  ids: SubjectIds,
  options: SubjectReadOptions = {},
): Promise<SubjectFeatures> {
  const nowMs = readTime(options.nowMs ?? Date.now());
  const limits = {
    sequence: resultLimit('sequenceLimit', options.sequenceLimit ?? SEQUENCE_MAX, SEQUENCE_MAX),
    affinity: resultLimit('affinityLimit', options.affinityLimit ?? AFFINITY_MAX, AFFINITY_MAX),
    searches: resultLimit('searchesLimit', options.searchesLimit ?? SEARCHES_MAX, SEARCHES_MAX),
    cart: resultLimit('cartLimit', options.cartLimit ?? CART_MAX, CART_MAX),
    purchased: resultLimit('purchasedLimit', options.purchasedLimit ?? PURCHASED_MAX, PURCHASED_MAX),
  };
  const userId = nonEmpty(ids.userId);
  const anonymousId = nonEmpty(ids.anonymousId);
  const sessionId = nonEmpty(ids.sessionId);
  const user = userId === undefined ? undefined : userSubject(userId);
  const anonymous = anonymousSubject({
    ...(anonymousId === undefined ? {} : { anonymous_id: anonymousId }),
    ...(sessionId === undefined ? {} : { session_id: sessionId }),
  });
  if (user === undefined && anonymous === undefined) return emptyFeatures(undefined);

  const keys = featureKeys(prefix);
  // Affinity sets are small (AFFINITY_MAX) and read whole, so adding an unmerged anonymous set is exact.
  const fetch: Record<Family, number> = {
    subjectSequence: limits.sequence,
    subjectCategoryAffinity: limits.affinity > 0 ? AFFINITY_MAX : 0,
    subjectBrandAffinity: limits.affinity > 0 ? AFFINITY_MAX : 0,
    subjectSearches: limits.searches,
    // The cart is filtered by its removals, so both are read whole (CART_MAX each) and cut after.
    subjectCart: limits.cart > 0 ? CART_MAX : 0,
    subjectCartRemovals: limits.cart > 0 ? CART_MAX : 0,
    subjectPurchased: limits.purchased,
  };
  const args: (string | number)[] = [
    user ?? '',
    anonymous ?? '',
    anonymous === undefined ? '' : keys.alias(anonymous),
  ];
  for (const family of FAMILIES) args.push(...affixes(keys, family), fetch[family]);
  const reply = await withScript(redis).recReadSubjectFeatures(0, ...args);

  const subject = String(reply[0]);
  const own = setsOf(reply[1]);
  const mergedAnonymous = reply.length > 2 ? String(reply[2]) : undefined;
  const other = mergedAnonymous === undefined ? undefined : setsOf(reply[3]);
  const union = (family: Family, limit: number) =>
    other === undefined ? own[family] : mergeMax(own[family], other[family], limit);
  const affinities = (family: Family) =>
    toAffinities(
      other === undefined ? own[family] : mergeLog(own[family], other[family], AFFINITY_MAX),
      nowMs,
      limits.affinity,
    );
  return {
    subject,
    mergedAnonymous,
    sequence: toSequence(union('subjectSequence', limits.sequence)),
    categoryAffinities: affinities('subjectCategoryAffinity'),
    brandAffinities: affinities('subjectBrandAffinity'),
    searches: union('subjectSearches', limits.searches).map(({ member, score }) => ({
      query: member,
      timeMs: score,
    })),
    cart: liveCart(union('subjectCart', CART_MAX), union('subjectCartRemovals', CART_MAX), limits.cart),
    purchased: toTimedItems(union('subjectPurchased', limits.purchased)),
  };
}

/** The script's sets of one subject, parsed, by family (empty where the reply has none). */
function setsOf(reply: unknown): Record<Family, ScoredMember[]> {
  const sets = Array.isArray(reply) ? (reply as unknown[]) : [];
  const parsed = (f: number) => {
    const set = sets[f];
    return Array.isArray(set) ? parseScored(set as unknown[]) : [];
  };
  return Object.fromEntries(FAMILIES.map((family, f) => [family, parsed(f)])) as Record<
    Family,
    ScoredMember[]
  >;
}
