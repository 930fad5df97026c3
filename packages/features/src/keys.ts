/**
 * The feature store's key layout: every feature key is built here, through the product's registry
 * of Redis key families (@recstream/redis `KEY_FAMILIES`, `feature.*`), where each family states
 * its type, content, what grows it and its memory bound or expiry (the numbers are in `bounds.ts`).
 * `prefix` separates deployments and tests sharing one Redis. `<subject>` is `u:<user_id>` for a
 * logged-in shopper and `a:<anonymous_id>` (or `s:<session_id>` when the event has no anonymous
 * id) for one who is not.
 *
 * Item families (`item:<item>:…`, the popularity sets) are written only for items in the catalog
 * (`item:meta`): item ids in events are the client's to choose.
 *
 * Exactly once in effect: a redelivered message (crash, rebalance) sits at or below its
 * partition's offset watermark and is skipped; a client's retry that reached Kafka twice (same
 * event id, a new message) is caught by the seen-id sets, which only need to outlive retries.
 */
import {
  FEATURE_STORE_FAMILIES,
  keyBuilder,
  keyFamiliesPattern,
  keyFamilyStem,
  keyFamilySuffix,
} from '@recstream/redis';

/** Layout version: bump it when a key's meaning changes, and rebuild. */
export const FEATURE_LAYOUT_VERSION = 'f1';

export interface FeatureKeys {
  itemPopularity(): string;
  itemPopularityShort(): string;
  categoryPopularity(category: string): string;
  categoryPending(): string;
  itemMeta(): string;
  itemMetaVersion(): string;
  itemMetaLog(): string;
  itemWindows(itemId: string): string;
  itemCovisits(itemId: string): string;
  /** `itemCovisits(id)` is `prefix + id + suffix` (the store builds neighbour keys from them). */
  itemCovisitsAffixes(): { prefix: string; suffix: string };
  itemBoughtTogether(itemId: string): string;
  globalCounts(): string;
  subjectSequence(subject: string): string;
  subjectCategoryAffinity(subject: string): string;
  subjectBrandAffinity(subject: string): string;
  subjectSearches(subject: string): string;
  subjectCart(subject: string): string;
  subjectCartRemovals(subject: string): string;
  subjectPurchased(subject: string): string;
  /** What every key of a subject starts with (`subject` omitted: of all subjects). */
  subjectKeysPrefix(subject?: string): string;
  sessionItems(sessionId: string): string;
  alias(anonymousSubject: string): string;
  /** Ids of the events received in seen bucket `bucket` (receive time ÷ SEEN_BUCKET_S). */
  seenEvents(bucket: number): string;
  /** Last applied offset per `<topic>/<partition>`. */
  appliedOffsets(): string;
  /** Marker written when the store is initialised or rebuilt; its absence means data was lost. */
  state(): string;
  /** Pattern matching every key of this prefix and layout (for rebuilds and test cleanup). */
  all(): string;
}

/**
 * Layouts built so far, by prefix. Readers ask for the layout on every call (serving: several
 * times per request); building it makes ~40 closures, garbage a busy process can do without. A
 * deployment uses one prefix or a few; the bound only keeps a process that uses many (tests) finite.
 */
const layouts = new Map<string, FeatureKeys>();
const LAYOUTS_KEPT = 64;

/** The key layout of `prefix`; the same object for the same prefix. */
export function featureKeys(prefix: string): FeatureKeys {
  let layout = layouts.get(prefix);
  if (layout === undefined) {
    if (layouts.size >= LAYOUTS_KEPT) layouts.clear();
    layout = buildFeatureKeys(prefix);
    layouts.set(prefix, layout);
  }
  return layout;
}

function buildFeatureKeys(prefix: string): FeatureKeys {
  const seen = keyBuilder('feature.seen-events', prefix);
  const subjects = keyFamilyStem('feature.subject-sequence', prefix);
  return {
    itemPopularity: keyBuilder('feature.item-popularity', prefix),
    itemPopularityShort: keyBuilder('feature.item-popularity-short', prefix),
    categoryPopularity: keyBuilder('feature.category-popularity', prefix),
    categoryPending: keyBuilder('feature.category-pending', prefix),
    itemMeta: keyBuilder('feature.item-meta', prefix),
    itemMetaVersion: keyBuilder('feature.item-meta-version', prefix),
    itemMetaLog: keyBuilder('feature.item-meta-log', prefix),
    itemWindows: keyBuilder('feature.item-windows', prefix),
    itemCovisits: keyBuilder('feature.item-covisits', prefix),
    itemCovisitsAffixes: () => ({
      prefix: keyFamilyStem('feature.item-covisits', prefix),
      suffix: keyFamilySuffix('feature.item-covisits'),
    }),
    itemBoughtTogether: keyBuilder('feature.item-bought-together', prefix),
    globalCounts: keyBuilder('feature.global-counts', prefix),
    subjectSequence: keyBuilder('feature.subject-sequence', prefix),
    subjectCategoryAffinity: keyBuilder('feature.subject-category-affinity', prefix),
    subjectBrandAffinity: keyBuilder('feature.subject-brand-affinity', prefix),
    subjectSearches: keyBuilder('feature.subject-searches', prefix),
    subjectCart: keyBuilder('feature.subject-cart', prefix),
    subjectCartRemovals: keyBuilder('feature.subject-cart-removals', prefix),
    subjectPurchased: keyBuilder('feature.subject-purchased', prefix),
    // Every subject family is `<prefix>:f1:sub:<subject>:<family>`.
    subjectKeysPrefix: (id) => (id === undefined ? subjects : `${subjects}${id}:`),
    sessionItems: keyBuilder('feature.session-items', prefix),
    alias: keyBuilder('feature.alias', prefix),
    seenEvents: (bucket) => seen(String(bucket)),
    appliedOffsets: keyBuilder('feature.applied-offsets', prefix),
    state: keyBuilder('feature.state', prefix),
    all: () => keyFamiliesPattern(FEATURE_STORE_FAMILIES, prefix),
  };
}

/** Subject of a logged-in shopper. */
export const userSubject = (userId: string): string => `u:${userId}`;
/** Subject of a shopper who is not logged in: the device id, else the session. */
export function anonymousSubject(ids: { anonymous_id?: string; session_id?: string }): string | undefined {
  if (ids.anonymous_id !== undefined) return `a:${ids.anonymous_id}`;
  if (ids.session_id !== undefined) return `s:${ids.session_id}`;
  return undefined;
}
