/**
 * Every Redis key family of the product, in one registry, and the only way to build their names:
 * `keyBuilder(family, prefix)`. Each family says where it lives (the durable Redis, `REC_REDIS_URL`,
 * or the feature store, `REC_FEATURE_REDIS_URL`), who writes it, its type, what makes it grow and
 * what bounds it. `key-families.test.ts` holds the docs to this list: every pattern is in the key
 * tables of docs/operations.md (durable) or docs/features.md (feature store).
 *
 * `<prefix>` is `REC_REDIS_PREFIX`, which separates deployments and tests sharing one Redis; the
 * other placeholders are filled in order. Every family past the prefix starts with a fixed segment
 * and ends with a fixed suffix (or a fixed-format value: a SHA-256, a number), so ids containing
 * `:` cannot make one family's key equal another's. Feature-store bounds name constants of
 * @recstream/features `bounds.ts`.
 */

export type RedisRole = 'durable' | 'feature-store';
export type RedisKeyType = 'string' | 'hash' | 'set' | 'zset' | 'stream' | 'bullmq';

export interface KeyFamily {
  /** The key's name: `<prefix>`, then fixed text and `<placeholders>`. */
  readonly pattern: string;
  readonly redis: RedisRole;
  readonly type: RedisKeyType;
  /** What writes it. */
  readonly owner: string;
  readonly content: string;
  /** What creates keys of the family, or members in them. */
  readonly grownBy: string;
  /** Its memory bound or expiry. */
  readonly bound: string;
}

const FEATURES = 'feature service';
const durable = 'durable' as const;
const featureStore = 'feature-store' as const;

export const KEY_FAMILIES = {
  // ---- feature store: the online features (@recstream/features, services/feature) ----
  'feature.item-popularity': {
    pattern: '<prefix>:f1:item:pop',
    redis: featureStore,
    type: 'zset',
    owner: FEATURES,
    content: 'item → log decayed popularity (τ 24 h)',
    grownBy: 'catalog items with events',
    bound: '`POPULARITY_MAX_ITEMS` members',
  },
  'feature.item-popularity-short': {
    pattern: '<prefix>:f1:item:pop:short',
    redis: featureStore,
    type: 'zset',
    owner: FEATURES,
    content: 'item → log decayed popularity (τ 1 h), for trending',
    grownBy: 'catalog items with events',
    bound: '`POPULARITY_MAX_ITEMS` members',
  },
  'feature.category-popularity': {
    pattern: '<prefix>:f1:cat:<category>:pop',
    redis: featureStore,
    type: 'zset',
    owner: `${FEATURES} (category refresh job)`,
    content: 'item → log decayed popularity in a category, refreshed from `item:pop`',
    grownBy: 'catalog categories (`CATEGORY_LEVELS_MAX` levels per item)',
    bound: '`CATEGORY_TOP_MAX` members; one per category path level in the catalog',
  },
  'feature.category-pending': {
    pattern: '<prefix>:f1:cat:pending',
    redis: featureStore,
    type: 'set',
    owner: FEATURES,
    content: 'items whose popularity changed since their category lists were refreshed',
    grownBy: 'catalog items with events',
    bound: 'catalog size',
  },
  'feature.item-meta': {
    pattern: '<prefix>:f1:item:meta',
    redis: featureStore,
    type: 'hash',
    owner: `${FEATURES} (items topic)`,
    content: 'item → JSON ItemMeta',
    grownBy: 'catalog writes',
    bound: 'catalog size',
  },
  'feature.item-meta-version': {
    pattern: '<prefix>:f1:item:meta:version',
    redis: featureStore,
    type: 'hash',
    owner: FEATURES,
    content: "`epoch`, `n`: the meta hash's version, bumped by every write",
    grownBy: 'nothing',
    bound: '2 fields',
  },
  'feature.item-meta-log': {
    pattern: '<prefix>:f1:item:meta:log',
    redis: featureStore,
    type: 'stream',
    owner: FEATURES,
    content: '`<n>-0` → `items`: ids each versioned catalog write changed (serving mirrors the catalog)',
    grownBy: 'catalog writes',
    bound: '`CATALOG_LOG_MAX_ENTRIES` entries',
  },
  'feature.item-windows': {
    pattern: '<prefix>:f1:item:<item>:win',
    redis: featureStore,
    type: 'hash',
    owner: FEATURES,
    content: '`<type>:<granularity>:<bucket>` → count',
    grownBy: 'catalog items with events',
    bound: '`WINDOW_FIELDS_PER_ITEM` fields; expires `ITEM_TTL_S` idle',
  },
  'feature.item-covisits': {
    pattern: '<prefix>:f1:item:<item>:covis',
    redis: featureStore,
    type: 'zset',
    owner: FEATURES,
    content: 'item → co-visitation weight',
    grownBy: 'catalog items with events',
    bound: '`COVISIT_MAX` members; expires `ITEM_TTL_S` idle',
  },
  'feature.item-bought-together': {
    pattern: '<prefix>:f1:item:<item>:cobuy',
    redis: featureStore,
    type: 'zset',
    owner: FEATURES,
    content: 'item → bought-together count',
    grownBy: 'catalog items with purchases',
    bound: '`COVISIT_MAX` members; expires `ITEM_TTL_S` idle',
  },
  'feature.global-counts': {
    pattern: '<prefix>:f1:global:counts',
    redis: featureStore,
    type: 'hash',
    owner: FEATURES,
    content: '`<type>` → count of all events (priors, e.g. global CTR)',
    grownBy: 'nothing',
    bound: 'one field per event type',
  },
  'feature.subject-sequence': {
    pattern: '<prefix>:f1:sub:<subject>:seq',
    redis: featureStore,
    type: 'zset',
    owner: FEATURES,
    content: '`<ms>:<type>:<item>` → event ms',
    grownBy: 'shoppers (user, anonymous, session ids in accepted events)',
    bound: '`SEQUENCE_MAX` members; expires `SUBJECT_TTL_S` idle',
  },
  'feature.subject-category-affinity': {
    pattern: '<prefix>:f1:sub:<subject>:aff:cat',
    redis: featureStore,
    type: 'zset',
    owner: FEATURES,
    content: 'category → log decayed affinity (τ 7 d)',
    grownBy: 'shoppers',
    bound: '`AFFINITY_MAX` members; expires `SUBJECT_TTL_S` idle',
  },
  'feature.subject-brand-affinity': {
    pattern: '<prefix>:f1:sub:<subject>:aff:brand',
    redis: featureStore,
    type: 'zset',
    owner: FEATURES,
    content: 'brand → log decayed affinity (τ 7 d)',
    grownBy: 'shoppers',
    bound: '`AFFINITY_MAX` members; expires `SUBJECT_TTL_S` idle',
  },
  'feature.subject-searches': {
    pattern: '<prefix>:f1:sub:<subject>:searches',
    redis: featureStore,
    type: 'zset',
    owner: FEATURES,
    content: 'query → last ms',
    grownBy: 'shoppers',
    bound: '`SEARCHES_MAX` members; expires `SUBJECT_TTL_S` idle',
  },
  'feature.subject-cart': {
    pattern: '<prefix>:f1:sub:<subject>:cart',
    redis: featureStore,
    type: 'zset',
    owner: FEATURES,
    content: 'item → ms last added',
    grownBy: 'shoppers',
    bound: '`CART_MAX` members; expires `SUBJECT_TTL_S` idle',
  },
  'feature.subject-cart-removals': {
    pattern: '<prefix>:f1:sub:<subject>:cart:removed',
    redis: featureStore,
    type: 'zset',
    owner: FEATURES,
    content: 'item → ms last removed or bought (in the cart: added later than removed)',
    grownBy: 'shoppers',
    bound: '`CART_MAX` members; expires `SUBJECT_TTL_S` idle',
  },
  'feature.subject-purchased': {
    pattern: '<prefix>:f1:sub:<subject>:bought',
    redis: featureStore,
    type: 'zset',
    owner: FEATURES,
    content: 'item → ms purchased',
    grownBy: 'shoppers',
    bound: '`PURCHASED_MAX` members; expires `SUBJECT_TTL_S` idle',
  },
  'feature.session-items': {
    pattern: '<prefix>:f1:sess:<session>:items',
    redis: featureStore,
    type: 'zset',
    owner: FEATURES,
    content: "`<ms>|<weight>|<item>` → ms: the session's events (co-visitation)",
    grownBy: 'sessions with a catalog-item event',
    bound: '`SESSION_ITEMS_MAX` members; expires `SESSION_TTL_S` idle',
  },
  'feature.alias': {
    pattern: '<prefix>:f1:alias:<anonymous-subject>',
    redis: featureStore,
    type: 'string',
    owner: FEATURES,
    content: 'the user subject an anonymous subject logged in as',
    grownBy: 'logins (events with both a user and an anonymous id)',
    bound: 'expires `SUBJECT_TTL_S` idle',
  },
  'feature.seen-events': {
    pattern: '<prefix>:f1:seen:<bucket>',
    redis: featureStore,
    type: 'set',
    owner: FEATURES,
    content: 'ids of the events received in a `SEEN_BUCKET_S` bucket',
    grownBy: 'event ids',
    bound: 'expires the seen window (`seenWindowS`) after its bucket: rate × window × ~96 B',
  },
  'feature.applied-offsets': {
    pattern: '<prefix>:f1:offsets',
    redis: featureStore,
    type: 'hash',
    owner: FEATURES,
    content: '`<topic>/<partition>` → last applied offset (and `first:`, `fill:` marks)',
    grownBy: 'partitions',
    bound: '3 fields per partition',
  },
  'feature.state': {
    pattern: '<prefix>:f1:state',
    redis: featureStore,
    type: 'hash',
    owner: `${FEATURES}, the rebuild`,
    content: '`created_at`, `rebuilt_at`: absent means Redis lost its data',
    grownBy: 'nothing',
    bound: '2 fields',
  },

  // ---- durable: access keys (@recstream/access-keys), ingest's write keys ----
  'write-key.record': {
    pattern: '<prefix>:wk:v1:key:<sha256>',
    redis: durable,
    type: 'hash',
    owner: '`pnpm write-keys`',
    content: '`source`, `kind`, `scopes`, `created_at`, `rate`, `burst`, `revoked_at` once revoked',
    grownBy: 'keys created by an operator',
    bound: 'one per key; a revoked one expires `REVOKED_KEY_RETENTION_S` after revocation',
  },
  'write-key.source-index': {
    pattern: '<prefix>:wk:v1:source:<source>',
    redis: durable,
    type: 'set',
    owner: '`pnpm write-keys`',
    content: "hashes of the source's keys (what `list` reads)",
    grownBy: 'keys created by an operator',
    bound: 'members whose record expired are removed by `list`',
  },
  'write-key.sources': {
    pattern: '<prefix>:wk:v1:sources',
    redis: durable,
    type: 'set',
    owner: '`pnpm write-keys`',
    content: 'source names that have keys',
    grownBy: 'keys created by an operator',
    bound: 'a source is removed by `list` once it has no keys',
  },
  'write-key.bucket': {
    pattern: '<prefix>:wk:v1:bucket:<sha256>',
    redis: durable,
    type: 'hash',
    owner: 'ingest (rate limit)',
    content: 'token bucket: `tokens`, `at` (Redis time, ms)',
    grownBy: 'write keys in use',
    bound: 'expires once the bucket would be full again (`burst / rate` s idle)',
  },
  'write-key.client-bucket': {
    pattern: '<prefix>:wk:v1:client:<sha256>:<client>',
    redis: durable,
    type: 'hash',
    owner: 'ingest (per-client rate limit within a browser key)',
    content: "a client's token bucket (`<client>`: an IPv4 address or an IPv6 network)",
    grownBy: 'client addresses sending with a browser key',
    bound: 'expires once full again: clients that sent in the last `burst / rate` s of the client limit',
  },

  // ---- durable: serving's API keys ----
  'api-key.record': {
    pattern: '<prefix>:ak:v1:key:<sha256>',
    redis: durable,
    type: 'hash',
    owner: '`pnpm serving-keys`',
    content: '`name`, `scope`, `created_at`, `rate`, `burst`, `revoked_at` once revoked',
    grownBy: 'keys created by an operator',
    bound: 'one per key; a revoked one expires `REVOKED_KEY_RETENTION_S` after revocation',
  },
  'api-key.index': {
    pattern: '<prefix>:ak:v1:keys',
    redis: durable,
    type: 'set',
    owner: '`pnpm serving-keys`',
    content: 'hashes of every key (what `list` reads)',
    grownBy: 'keys created by an operator',
    bound: 'members whose record expired are removed by `list`',
  },
  'api-key.bucket': {
    pattern: '<prefix>:ak:v1:bucket:<sha256>',
    redis: durable,
    type: 'hash',
    owner: 'serving (rate limit)',
    content: 'token bucket: `tokens`, `at` (Redis time, ms)',
    grownBy: 'API keys in use',
    bound: 'expires once the bucket would be full again (`burst / rate` s idle)',
  },

  // ---- durable: the trainer ----
  'trainer.model-lock': {
    pattern: '<prefix>:trainer:lock:<model>',
    redis: durable,
    type: 'string',
    owner: 'trainer',
    content: "the owner's token: one writer per model lineage",
    grownBy: 'models trained',
    bound: 'one per model; expires its TTL after the owner stops renewing it',
  },
  'trainer.queue': {
    pattern: '<prefix>:bull:<queue>:<bullmq-key>',
    redis: durable,
    type: 'bullmq',
    owner: "trainer (BullMQ's own keys under the prefix)",
    content: 'the training queue: jobs, their states and events',
    grownBy: 'jobs scheduled and triggered',
    bound: 'the last 200 completed jobs; failed jobs are kept for an operator',
  },
} as const satisfies Record<string, KeyFamily>;

export type KeyFamilyName = keyof typeof KEY_FAMILIES;

type Placeholders<P extends string> = P extends `${string}<${infer Name}>${infer Rest}`
  ? [Name, ...Placeholders<Rest>]
  : [];
type AsStrings<T extends unknown[]> = { [K in keyof T]: string };
/** What a family's builder takes: one string per placeholder after `<prefix>`, in order. */
export type KeyParts<N extends KeyFamilyName> =
  Placeholders<(typeof KEY_FAMILIES)[N]['pattern']> extends ['prefix', ...infer Rest]
    ? AsStrings<Rest>
    : never;

const PLACEHOLDER = /<([a-z0-9-]+)>/;

/** The pattern cut at its placeholders: literal, name, literal, … (first literal empty, first name `prefix`). */
function pieces(name: KeyFamilyName): string[] {
  const pattern: string = KEY_FAMILIES[name].pattern;
  const split = pattern.split(PLACEHOLDER);
  if (split[0] !== '' || split[1] !== 'prefix')
    throw new Error(`key family ${name}: its pattern must start with <prefix>`);
  return split;
}

/**
 * Builds the names of family `name` under `prefix`: a function of the pattern's other
 * placeholders, in order. As fast as a template string (the fixed text is joined once here), so
 * hot paths may hold one per family.
 */
export function keyBuilder<N extends KeyFamilyName>(
  name: N,
  prefix: string,
): (...parts: KeyParts<N>) => string {
  const split = pieces(name);
  // Fixed text between the placeholders after the prefix: [head, between…, tail].
  const fixed = [prefix + (split[2] ?? '')];
  for (let i = 4; i < split.length; i += 2) fixed.push(split[i] ?? '');
  const [head = '', second = '', third = ''] = fixed;
  let build: (...parts: string[]) => string;
  switch (fixed.length) {
    case 1:
      build = () => head;
      break;
    case 2:
      build = (a) => head + a + second;
      break;
    case 3:
      build = (a, b) => head + a + second + b + third;
      break;
    default:
      build = (...parts) =>
        fixed.reduce((key, text, i) => (i === 0 ? text : key + (parts[i - 1] ?? '') + text), '');
  }
  return build;
}

/**
 * The fixed text every key of family `name` under `prefix` starts with, up to its first
 * placeholder after the prefix: for SCAN patterns and for scripts that build keys themselves.
 */
export function keyFamilyStem(name: KeyFamilyName, prefix: string): string {
  return prefix + (pieces(name)[2] ?? '');
}

/** The fixed text every key of family `name` ends with, after its last placeholder. */
export function keyFamilySuffix(name: KeyFamilyName): string {
  const split = pieces(name);
  return split.length > 3 ? (split[split.length - 1] ?? '') : '';
}

/**
 * A SCAN pattern matching every key of the families `names` under `prefix` (their common fixed
 * start, then `*`): for a rebuild's clean-up of the feature store.
 */
export function keyFamiliesPattern(names: readonly KeyFamilyName[], prefix: string): string {
  const stems = names.map((name) => keyFamilyStem(name, prefix));
  let common = stems[0] ?? prefix;
  for (const stem of stems) while (!stem.startsWith(common)) common = common.slice(0, -1);
  return `${common}*`;
}

/** Every feature-store family. */
export const FEATURE_STORE_FAMILIES = (Object.keys(KEY_FAMILIES) as KeyFamilyName[]).filter(
  (name) => KEY_FAMILIES[name].redis === 'feature-store',
);

/** BullMQ's `prefix` option: it names its keys `<that>:<queue>:…` (family `trainer.queue`). */
export function queueKeyPrefix(prefix: string): string {
  return keyFamilyStem('trainer.queue', prefix).slice(0, -1);
}
