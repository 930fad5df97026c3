/**
 * What each event changes in the online features, as store operations (store/ops.ts). Pure: the
 * same event and catalog give the same operations, which is what makes a rebuild from the
 * ClickHouse log reproduce what the live consumer wrote.
 */
import {
  AFFINITY_MAX,
  AFFINITY_TAU_MS,
  CART_MAX,
  CATEGORY_LEVELS_MAX,
  COVISIT_MAX,
  EVENT_WEIGHTS,
  ITEM_TTL_S,
  POPULARITY_MAX_ITEMS,
  POPULARITY_TAU_MS,
  PURCHASED_MAX,
  SEARCHES_MAX,
  SEQUENCE_MAX,
  SESSION_ITEMS_MAX,
  SESSION_TTL_S,
  SHORT_POPULARITY_TAU_MS,
  SUBJECT_TTL_S,
  WINDOWED_TYPES,
  WINDOWS,
  anonymousSubject,
  bucketOf,
  bucketsKept,
  featureKeys,
  logContribution,
  userSubject,
  type FeatureKeys,
  type ItemMeta,
  type WindowedType,
} from '@recstream/features';
import type { EnrichedEvent } from '@recstream/schemas';
import type { FeatureOp } from '../store/ops.js';

/** Co-visitation pairs only items seen this close together in a session… */
export const COVISIT_MAX_GAP_MS = 60 * 60 * 1000;
/** …and weighs a pair by exp(-gap/τ): two views a minute apart say more than an hour apart. */
export const COVISIT_GAP_TAU_MS = 30 * 60 * 1000;

/** Pairs grow with the square of an order's size; a wholesale order of hundreds says little per pair. */
export const ORDER_PAIRS_MAX_ITEMS = 20;

export interface CompileContext {
  readonly keys: FeatureKeys;
  /**
   * Catalog entries of the event's items; undefined for an item the catalog does not know (yet),
   * which gets no item features (popularity, windows, neighbours): only the shopper's own lists
   * name it.
   */
  readonly itemMeta: ReadonlyMap<string, ItemMeta | undefined>;
  /**
   * False when there is no catalog at all (a store that lost its data, until the rebuild restores
   * the catalog; a deployment fed no catalog): every item is then taken as known, so that what is
   * applied meanwhile still counts, and the rebuild judges the same way.
   */
  readonly knownItemsOnly: boolean;
}

export function compileContext(
  prefix: string,
  itemMeta: ReadonlyMap<string, ItemMeta | undefined>,
  knownItemsOnly = true,
) {
  return { keys: featureKeys(prefix), itemMeta, knownItemsOnly } satisfies CompileContext;
}

/** The items an event is about, each once. */
export function eventItems(event: EnrichedEvent): string[] {
  switch (event.type) {
    case 'purchase':
      return [...new Set(event.items.map((line) => line.item_id))];
    case 'impression':
      return [...new Set(event.item_ids)];
    case 'search':
      return [];
    case 'view':
    case 'click':
    case 'add_to_cart':
    case 'remove_from_cart':
      return [event.item_id];
  }
}

/** "Beauty", "Beauty > Makeup", … up to CATEGORY_LEVELS_MAX levels. */
export function categoryLevels(path: readonly string[]): string[] {
  return path.slice(0, CATEGORY_LEVELS_MAX).map((_, level) => path.slice(0, level + 1).join(' > '));
}

const isWindowed = (type: string): type is WindowedType =>
  (WINDOWED_TYPES as readonly string[]).includes(type);

function itemOps(ctx: CompileContext, event: EnrichedEvent, itemId: string, timeMs: number): FeatureOp[] {
  const { keys } = ctx;
  const ops: FeatureOp[] = [];
  const weight = EVENT_WEIGHTS[event.type];
  if (weight > 0) {
    ops.push(
      {
        op: 'zlog',
        key: keys.itemPopularity(),
        member: itemId,
        logScore: logContribution(weight, timeMs, POPULARITY_TAU_MS),
        cap: POPULARITY_MAX_ITEMS,
        ttl: 0,
      },
      {
        op: 'zlog',
        key: keys.itemPopularityShort(),
        member: itemId,
        logScore: logContribution(weight, timeMs, SHORT_POPULARITY_TAU_MS),
        cap: POPULARITY_MAX_ITEMS,
        ttl: 0,
      },
    );
    // Its categories' top lists hold its popularity: they are refreshed from the popularity set
    // (store/category-tops.ts), not written per event.
    if (categoryLevels(ctx.itemMeta.get(itemId)?.categoryPath ?? []).length > 0)
      ops.push({ op: 'sadd', key: keys.categoryPending(), member: itemId });
  }
  if (isWindowed(event.type)) {
    ops.push({
      op: 'win',
      key: keys.itemWindows(itemId),
      type: event.type,
      types: WINDOWED_TYPES,
      buckets: WINDOWS.map((spec) => ({
        window: spec.name,
        bucket: bucketOf(spec, timeMs),
        keep: bucketsKept(spec),
      })),
      ttl: ITEM_TTL_S,
    });
  }
  if (weight > 0 && event.session_id !== undefined) {
    ops.push({
      op: 'covis',
      sessionKey: keys.sessionItems(event.session_id),
      item: itemId,
      timeMs,
      weight,
      maxGapMs: COVISIT_MAX_GAP_MS,
      gapTauMs: COVISIT_GAP_TAU_MS,
      cap: COVISIT_MAX,
      ttl: ITEM_TTL_S,
      sessionCap: SESSION_ITEMS_MAX,
      sessionTtl: SESSION_TTL_S,
      keyPrefix: keys.itemCovisitsAffixes().prefix,
      keySuffix: keys.itemCovisitsAffixes().suffix,
    });
  }
  return ops;
}

/** Operations on the shopper's own features. */
function subjectOps(
  ctx: CompileContext,
  event: EnrichedEvent,
  subject: string,
  items: readonly string[],
  timeMs: number,
): FeatureOp[] {
  const { keys } = ctx;
  const ttl = SUBJECT_TTL_S;
  const ops: FeatureOp[] = [];
  const weight = EVENT_WEIGHTS[event.type];
  if (event.type === 'search') {
    ops.push({
      op: 'zmax',
      key: keys.subjectSearches(subject),
      member: event.query,
      score: timeMs,
      cap: SEARCHES_MAX,
      ttl,
    });
    return ops;
  }
  if (event.type === 'impression') return ops;
  for (const itemId of items) {
    ops.push({
      op: 'zmax',
      key: keys.subjectSequence(subject),
      member: `${timeMs}:${event.type}:${itemId}`,
      score: timeMs,
      cap: SEQUENCE_MAX,
      ttl,
    });
    const meta = ctx.itemMeta.get(itemId);
    if (weight > 0 && meta !== undefined) {
      const logScore = logContribution(weight, timeMs, AFFINITY_TAU_MS);
      if (meta.category !== '')
        ops.push({
          op: 'zlog',
          key: keys.subjectCategoryAffinity(subject),
          member: meta.category,
          logScore,
          cap: AFFINITY_MAX,
          ttl,
        });
      if (meta.brand !== '')
        ops.push({
          op: 'zlog',
          key: keys.subjectBrandAffinity(subject),
          member: meta.brand,
          logScore,
          cap: AFFINITY_MAX,
          ttl,
        });
    }
    if (event.type === 'add_to_cart')
      ops.push({
        op: 'zmax',
        key: keys.subjectCart(subject),
        member: itemId,
        score: timeMs,
        cap: CART_MAX,
        ttl,
      });
    // Removals are recorded, not applied to the cart set, so a removal applied before its add
    // (a rebuild filling history, or partitions racing) still wins when it happened later.
    if (event.type === 'remove_from_cart' || event.type === 'purchase')
      ops.push({
        op: 'zmax',
        key: keys.subjectCartRemovals(subject),
        member: itemId,
        score: timeMs,
        cap: CART_MAX,
        ttl,
      });
    if (event.type === 'purchase')
      ops.push({
        op: 'zmax',
        key: keys.subjectPurchased(subject),
        member: itemId,
        score: timeMs,
        cap: PURCHASED_MAX,
        ttl,
      });
  }
  return ops;
}

/**
 * The first event that carries both a user id and an anonymous id is the login: what the shopper
 * did anonymously is merged into the user (once: the alias key records it) and readers of the
 * anonymous subject are sent to the user from then on.
 */
function loginMergeOps(ctx: CompileContext, anonymous: string, user: string): FeatureOp[] {
  const { keys } = ctx;
  const ttl = SUBJECT_TTL_S;
  const merges: FeatureOp[] = [
    {
      op: 'zmerge',
      key: keys.subjectSequence(user),
      from: keys.subjectSequence(anonymous),
      mode: 'max',
      cap: SEQUENCE_MAX,
      ttl,
    },
    {
      op: 'zmerge',
      key: keys.subjectCategoryAffinity(user),
      from: keys.subjectCategoryAffinity(anonymous),
      mode: 'log',
      cap: AFFINITY_MAX,
      ttl,
    },
    {
      op: 'zmerge',
      key: keys.subjectBrandAffinity(user),
      from: keys.subjectBrandAffinity(anonymous),
      mode: 'log',
      cap: AFFINITY_MAX,
      ttl,
    },
    {
      op: 'zmerge',
      key: keys.subjectSearches(user),
      from: keys.subjectSearches(anonymous),
      mode: 'max',
      cap: SEARCHES_MAX,
      ttl,
    },
    {
      op: 'zmerge',
      key: keys.subjectCart(user),
      from: keys.subjectCart(anonymous),
      mode: 'max',
      cap: CART_MAX,
      ttl,
    },
    {
      op: 'zmerge',
      key: keys.subjectCartRemovals(user),
      from: keys.subjectCartRemovals(anonymous),
      mode: 'max',
      cap: CART_MAX,
      ttl,
    },
    {
      op: 'zmerge',
      key: keys.subjectPurchased(user),
      from: keys.subjectPurchased(anonymous),
      mode: 'max',
      cap: PURCHASED_MAX,
      ttl,
    },
  ];
  return [{ op: 'once', key: keys.alias(anonymous), value: user, ttl, skip: merges.length }, ...merges];
}

/** Bought together: every pair of distinct items among the order's first ORDER_PAIRS_MAX_ITEMS. */
function orderPairOps(ctx: CompileContext, items: readonly string[]): FeatureOp[] {
  const ops: FeatureOp[] = [];
  const paired = items.slice(0, ORDER_PAIRS_MAX_ITEMS);
  for (const a of paired)
    for (const b of paired)
      if (a !== b)
        ops.push({
          op: 'zincr',
          key: ctx.keys.itemBoughtTogether(a),
          member: b,
          delta: 1,
          cap: COVISIT_MAX,
          ttl: ITEM_TTL_S,
        });
  return ops;
}

/** Every feature change one event makes, in the order they must run. */
export function compileEvent(ctx: CompileContext, event: EnrichedEvent): FeatureOp[] {
  const timeMs = Date.parse(event.event_time);
  const items = eventItems(event);
  const ops: FeatureOp[] = [];
  const anonymous = anonymousSubject(event);
  const subject = event.user_id !== undefined ? userSubject(event.user_id) : anonymous;
  if (event.user_id !== undefined && anonymous !== undefined)
    ops.push(...loginMergeOps(ctx, anonymous, userSubject(event.user_id)));
  if (subject !== undefined) {
    const own = subjectOps(ctx, event, subject, items, timeMs);
    // An anonymous shopper who has logged in before (on any partition, in any order) is the user now.
    if (event.user_id === undefined && own.length > 0)
      ops.push({
        op: 'follow',
        aliasKey: ctx.keys.alias(subject),
        fromPrefix: ctx.keys.subjectKeysPrefix(subject),
        toBase: ctx.keys.subjectKeysPrefix(),
        count: own.length,
        ttl: SUBJECT_TTL_S,
      });
    ops.push(...own);
  }
  // Item keys only for catalog items: ids in events are the client's to choose, so keys made for
  // any id would let one event create hundreds of keys kept for 30 days. The catalog bounds them.
  const known = ctx.knownItemsOnly ? items.filter((itemId) => ctx.itemMeta.get(itemId) !== undefined) : items;
  for (const itemId of known) ops.push(...itemOps(ctx, event, itemId, timeMs));
  if (event.type === 'purchase') ops.push(...orderPairOps(ctx, known));
  ops.push({
    op: 'hincr',
    key: ctx.keys.globalCounts(),
    field: event.type,
    delta: event.type === 'impression' ? items.length : 1,
    ttl: 0,
  });
  return ops;
}
