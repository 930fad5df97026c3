/**
 * Every Redis key the product uses is named here, and nowhere else. Each family states its
 * memory bound or expiry (the numbers are in `bounds.ts`). `prefix` separates deployments and tests
 * sharing one Redis. `<subject>` is `u:<user_id>` for a logged-in shopper and `a:<anonymous_id>`
 * (or `s:<session_id>` when the event has no anonymous id) for one who is not.
 *
 * | key                                   | type   | content · bound                                            |
 * |---------------------------------------|--------|------------------------------------------------------------|
 * | `<p>:f1:item:pop`                     | zset   | item → log decayed popularity (τ 24 h) · `POPULARITY_MAX_ITEMS` |
 * | `<p>:f1:item:pop:short`               | zset   | item → log decayed popularity (τ 1 h), for trending · same bound |
 * | `<p>:f1:cat:<category>:pop`           | zset   | item → log decayed popularity in a category, refreshed from `item:pop` · `CATEGORY_TOP_MAX` |
 * | `<p>:f1:cat:pending`                  | set    | items whose popularity changed since their category lists were refreshed · catalog size |
 * | `<p>:f1:item:meta`                    | hash   | item → JSON ItemMeta · catalog size                        |
 * | `<p>:f1:item:meta:version`            | hash   | `epoch`, `n`: the meta hash's version, bumped by every write (catalog-version.ts) · 2 fields |
 * | `<p>:f1:item:meta:log`                | stream | `<n>-0` → `items`: ids each versioned write changed, for readers that mirror the catalog · `CATALOG_LOG_MAX_ENTRIES` |
 * | `<p>:f1:item:<item>:win`              | hash   | `<type>:<granularity>:<bucket>` → count · `WINDOW_FIELDS_PER_ITEM`, expires `ITEM_TTL_S` |
 * | `<p>:f1:item:<item>:covis`            | zset   | item → co-visitation weight · `COVISIT_MAX`, expires `ITEM_TTL_S` |
 * | `<p>:f1:item:<item>:cobuy`            | zset   | item → bought-together count · `COVISIT_MAX`, expires `ITEM_TTL_S` |
 * | `<p>:f1:global:counts`                | hash   | `<type>` → count of all events (priors, e.g. global CTR) · 7 fields |
 * | `<p>:f1:sub:<subject>:seq`            | zset   | `<ms>:<type>:<item>` → event ms · `SEQUENCE_MAX`, expires `SUBJECT_TTL_S` |
 * | `<p>:f1:sub:<subject>:aff:cat`        | zset   | category → log decayed affinity (τ 7 d) · `AFFINITY_MAX`, expires |
 * | `<p>:f1:sub:<subject>:aff:brand`      | zset   | brand → log decayed affinity (τ 7 d) · `AFFINITY_MAX`, expires |
 * | `<p>:f1:sub:<subject>:searches`       | zset   | query → last ms · `SEARCHES_MAX`, expires                  |
 * | `<p>:f1:sub:<subject>:cart`           | zset   | item → ms last added · `CART_MAX`, expires                 |
 * | `<p>:f1:sub:<subject>:cart:removed`   | zset   | item → ms last removed or bought · `CART_MAX`, expires. In the cart: added later than removed (order-free) |
 * | `<p>:f1:sub:<subject>:bought`         | zset   | item → ms purchased · `PURCHASED_MAX`, expires             |
 * | `<p>:f1:sess:<session_id>:items`      | zset   | `<ms>\|<weight>\|<item>` → ms: the session's events (co-visitation) · `SESSION_ITEMS_MAX`, expires `SESSION_TTL_S` |
 * | `<p>:f1:alias:<anonymous subject>`    | string | the user subject it logged in as · expires `SUBJECT_TTL_S` |
 * | `<p>:f1:seen:<bucket>`                | set    | ids of the events received in a `SEEN_BUCKET_S` bucket · expires the seen window (`seenWindowS`) after it |
 * | `<p>:f1:offsets`                      | hash   | `<topic>/<partition>` → last applied offset · one per partition |
 * | `<p>:f1:state`                        | hash   | `created_at`, `rebuilt_at`: absent means Redis lost its data · 2 fields |
 *
 * Item families (`item:<item>:…`, the popularity sets) are written only for items in the catalog
 * (`item:meta`): item ids in events are the client's to choose.
 *
 * Exactly once in effect: a redelivered message (crash, rebalance) sits at or below its
 * partition's offset watermark and is skipped; a client's retry that reached Kafka twice (same
 * event id, a new message) is caught by the seen-id sets, which only need to outlive retries.
 */

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
  const base = `${prefix}:${FEATURE_LAYOUT_VERSION}`;
  const subject = (id: string, family: string) => `${base}:sub:${id}:${family}`;
  return {
    itemPopularity: () => `${base}:item:pop`,
    itemPopularityShort: () => `${base}:item:pop:short`,
    categoryPopularity: (category) => `${base}:cat:${category}:pop`,
    categoryPending: () => `${base}:cat:pending`,
    itemMeta: () => `${base}:item:meta`,
    itemMetaVersion: () => `${base}:item:meta:version`,
    itemMetaLog: () => `${base}:item:meta:log`,
    itemWindows: (itemId) => `${base}:item:${itemId}:win`,
    itemCovisits: (itemId) => `${base}:item:${itemId}:covis`,
    itemCovisitsAffixes: () => ({ prefix: `${base}:item:`, suffix: ':covis' }),
    itemBoughtTogether: (itemId) => `${base}:item:${itemId}:cobuy`,
    globalCounts: () => `${base}:global:counts`,
    subjectSequence: (id) => subject(id, 'seq'),
    subjectCategoryAffinity: (id) => subject(id, 'aff:cat'),
    subjectBrandAffinity: (id) => subject(id, 'aff:brand'),
    subjectSearches: (id) => subject(id, 'searches'),
    subjectCart: (id) => subject(id, 'cart'),
    subjectCartRemovals: (id) => subject(id, 'cart:removed'),
    subjectPurchased: (id) => subject(id, 'bought'),
    subjectKeysPrefix: (id) => (id === undefined ? `${base}:sub:` : `${base}:sub:${id}:`),
    sessionItems: (sessionId) => `${base}:sess:${sessionId}:items`,
    alias: (anonymousSubject) => `${base}:alias:${anonymousSubject}`,
    seenEvents: (bucket) => `${base}:seen:${bucket}`,
    appliedOffsets: () => `${base}:offsets`,
    state: () => `${base}:state`,
    all: () => `${base}:*`,
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
