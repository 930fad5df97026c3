/**
 * Accounting of Redis memory by feature key family (the table in packages/features/src/keys.ts):
 * which family a key belongs to, and a per-family estimate of bytes from a uniform sample of its
 * keys (reservoir sampling while SCANning, so millions of keys need not be held or measured).
 */

/** Families, by who they are paid for. */
export const SUBJECT_FAMILIES = [
  'sub:seq',
  'sub:aff:cat',
  'sub:aff:brand',
  'sub:searches',
  'sub:cart',
  'sub:cart:removed',
  'sub:bought',
  'alias',
] as const;
export const ITEM_FAMILIES = ['item:win', 'item:covis', 'item:cobuy'] as const;
/** One key each, shared by all items (their members are per item). */
export const SHARED_ITEM_FAMILIES = ['item:pop', 'item:pop:short', 'item:meta', 'cat:pop'] as const;
/** Expire within hours, whatever the number of shoppers: sized by the event rate instead. */
export const TRANSIENT_FAMILIES = ['sess:items', 'seen'] as const;
export const OTHER_FAMILIES = ['bookkeeping', 'unknown'] as const;

export type KeyFamily =
  | (typeof SUBJECT_FAMILIES)[number]
  | (typeof ITEM_FAMILIES)[number]
  | (typeof SHARED_ITEM_FAMILIES)[number]
  | (typeof TRANSIENT_FAMILIES)[number]
  | (typeof OTHER_FAMILIES)[number];

// Longest first: `:cart:removed` must win over `:cart`.
const SUBJECT_SUFFIXES = [
  ['cart:removed', 'sub:cart:removed'],
  ['aff:brand', 'sub:aff:brand'],
  ['aff:cat', 'sub:aff:cat'],
  ['searches', 'sub:searches'],
  ['bought', 'sub:bought'],
  ['cart', 'sub:cart'],
  ['seq', 'sub:seq'],
] as const;

/** The family of `key`, a key under `base` (`<prefix>:<layout version>`). */
export function keyFamily(key: string, base: string): KeyFamily {
  if (!key.startsWith(`${base}:`)) return 'unknown';
  const rest = key.slice(base.length + 1);
  if (rest.startsWith('sub:')) {
    for (const [suffix, family] of SUBJECT_SUFFIXES) if (rest.endsWith(`:${suffix}`)) return family;
    return 'unknown';
  }
  if (rest === 'item:pop' || rest === 'item:pop:short' || rest === 'item:meta') return rest;
  // The catalog's version and change log are part of what the catalog costs.
  if (rest === 'item:meta:version' || rest === 'item:meta:log') return 'item:meta';
  if (rest.startsWith('item:')) {
    if (rest.endsWith(':win')) return 'item:win';
    if (rest.endsWith(':covis')) return 'item:covis';
    if (rest.endsWith(':cobuy')) return 'item:cobuy';
    return 'unknown';
  }
  // The items waiting for a category refresh are part of what the category lists cost.
  if ((rest.startsWith('cat:') && rest.endsWith(':pop')) || rest === 'cat:pending') return 'cat:pop';
  if (rest.startsWith('sess:') && rest.endsWith(':items')) return 'sess:items';
  if (rest.startsWith('alias:')) return 'alias';
  if (rest.startsWith('seen:')) return 'seen';
  if (rest === 'global:counts' || rest === 'offsets' || rest === 'state') return 'bookkeeping';
  return 'unknown';
}

/** A uniform sample of at most `size` of the values offered (Vitter's algorithm R). */
export class Reservoir<T> {
  private seen = 0;
  private readonly values: T[] = [];

  constructor(
    private readonly size: number,
    private readonly random: () => number,
  ) {
    if (!Number.isInteger(size) || size < 1)
      throw new RangeError(`reservoir size must be a positive integer, got ${size}`);
  }

  offer(value: T): void {
    this.seen += 1;
    if (this.values.length < this.size) {
      this.values.push(value);
      return;
    }
    const slot = Math.floor(this.random() * this.seen);
    if (slot < this.size) this.values[slot] = value;
  }

  /** How many values were offered. */
  get count(): number {
    return this.seen;
  }

  get sample(): readonly T[] {
    return this.values;
  }
}

export interface FamilyEstimate {
  readonly keys: number;
  readonly sampled: number;
  /** Mean MEMORY USAGE of the sampled keys. */
  readonly bytes_per_key: number;
  /** keys × bytes_per_key (exact when every key was sampled). */
  readonly bytes: number;
}

export function estimateFamily(keys: number, sampledBytes: readonly number[]): FamilyEstimate {
  if (keys > 0 && sampledBytes.length === 0) throw new Error(`no sample for a family of ${keys} keys`);
  const mean = sampledBytes.length === 0 ? 0 : sampledBytes.reduce((a, b) => a + b, 0) / sampledBytes.length;
  return {
    keys,
    sampled: sampledBytes.length,
    bytes_per_key: Math.round(mean),
    bytes: Math.round(mean * keys),
  };
}

/** Total estimated bytes of the given families (absent ones count 0). */
export function sumFamilies(
  estimates: Readonly<Partial<Record<KeyFamily, FamilyEstimate>>>,
  families: readonly KeyFamily[],
): number {
  return families.reduce((sum, family) => sum + (estimates[family]?.bytes ?? 0), 0);
}
